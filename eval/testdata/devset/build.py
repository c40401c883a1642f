#!/usr/bin/env python3
"""Builds tickets.jsonl, the labelled development set of the built-in
summariser, from the hand-written threads in src/*.txt.

The threads were written for ticketsum (no dataset was copied). This script
only dresses them as real mail arrives: greetings, sign-offs and signature
blocks, legal footers, quoted replies, HTML bodies, out-of-office replies,
pasted logs and long quoted chains, as each ticket's kinds ask. It is
deterministic: the same sources give the same file.

    python3 eval/testdata/devset/build.py    # rewrites tickets.jsonl

Source format (one ticket per block, blocks start with "= "):

    = ID | product_line | subject | expected_status | kind,kind,...
    cust: Full Name <email>          the customer (personal data)
    agent: Full Name                 the agent who signs replies
    C: text                          a customer message ("\\n" breaks a line)
    A: text                          an agent message
    I: text                          an internal note
    OOO:                             the customer's out-of-office auto-reply
    ACK:                             the help desk's automatic acknowledgement
    issue: alt|alt                   a fact the summary must state (repeatable)
    action: alt|alt                  the agent's decisive action (repeatable)
    outcome: alt|alt                 the outcome, when more than the status
    forbid: value|value              values that must not appear
    raw:                             messages are used as written (no dressing)

A fact is found when any of its alternatives appears in the summary, each
word of the alternative matching the start of a summary word ("refund"
matches "refunded").

The split: a ticket is in the test split when the first byte of
sha256(id) is below 77 (about 30%); the rest is the dev split. The split was
fixed before the summariser was tuned and is never tuned on.
"""

import hashlib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

TEAM = {
    "billing": "Tillwise Billing Team",
    "mobile-app": "Tillwise Mobile Support",
    "web-dashboard": "Tillwise Support",
    "integrations-api": "Tillwise Developer Support",
    "hardware": "Tillwise Hardware Support",
}

FOOTERS = [
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended solely for the "
    "addressee. If you have received this e-mail in error, please notify the sender immediately and delete it. "
    "Any unauthorised copying, disclosure or distribution of the material in this e-mail is strictly forbidden.",
    "This message may contain privileged information. If you are not the intended recipient, you must not use, "
    "copy or disclose it; please tell us by reply and then delete it. Please consider the environment before "
    "printing this email.",
    "Registered in England and Wales No. 08812734. Registered office: Unit 4, Canal Wharf, Leeds LS11 5PZ. "
    "The information in this email is confidential and may be legally privileged.",
]

LANG_GREET = {
    "german": ("Guten Tag", "Mit freundlichen Grüßen", "Viele Grüße"),
    "spanish": ("Hola", "Saludos", "Un saludo"),
    "french": ("Bonjour", "Cordialement", "Bien cordialement"),
    "italian": ("Buongiorno", "Cordiali saluti", "Saluti"),
    "portuguese": ("Olá", "Atenciosamente", "Abraços"),
    "dutch": ("Goedemiddag", "Met vriendelijke groet", "Groeten"),
}

OOO = {
    None: "Thank you for your email. I am out of the office until {date} with limited access to email. "
          "For urgent matters please contact {colleague} at the shop. I will reply when I am back.",
    "german": "Vielen Dank für Ihre Nachricht. Ich bin bis zum {date} nicht im Büro und habe keinen Zugriff "
              "auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an {colleague}.",
    "spanish": "Gracias por su mensaje. Estoy fuera de la oficina hasta el {date}. Para asuntos urgentes, "
               "contacte con {colleague}.",
    "french": "Merci pour votre message. Je suis absent du bureau jusqu'au {date}. Pour toute urgence, "
              "merci de contacter {colleague}.",
}

ACK = ("Thank you for contacting Tillwise Support. This is an automated message to confirm we have received "
       "your request (reference {ref}). One of our team will get back to you within one business day. "
       "Please do not reply to this email.")

LOG_LINES = [
    "{ts} INFO  sync.worker  batch {n} started (items=250)",
    "{ts} WARN  http.client  POST /v2/orders/batch took {ms}ms (retry {r})",
    "{ts} ERROR sync.worker  batch {n} failed: upstream returned 502 Bad Gateway",
    "{ts} DEBUG cache        evicted {n} entries (size=64MiB)",
    "{ts} INFO  printer.spool job {n} queued for TSP143 (bytes={ms})",
    "{ts} INFO  auth         token refreshed for device dev_{n}",
]


def lang_of(kinds):
    for k in kinds:
        if k in LANG_GREET:
            return k
    return None


def first(name):
    return name.split()[0]


def pasted_log(rng, lines):
    out = []
    for i in range(lines):
        t = "2026-03-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z".format(
            1 + i // 4000, 8 + (i // 600) % 12, (i // 10) % 60, (i * 7) % 60, (i * 37) % 1000)
        out.append(rng.choice(LOG_LINES).format(ts=t, n=1000 + i, ms=rng.randint(80, 9000), r=rng.randint(1, 3)))
    return "\n".join(out)


def signature(person, phone, company, lang):
    close = "Best regards" if not lang else LANG_GREET[lang][1]
    lines = [close + ",", person]
    if company:
        lines.append(company)
    if phone:
        lines.append("Tel. " + phone)
    return "\n".join(lines)


def quote_block(prev_author, body, lang):
    intro = "On Tue, 3 Mar 2026 at 14:02, {} <support@tillwise.example> wrote:".format(prev_author)
    if lang == "german":
        intro = "Am 03.03.2026 um 14:02 schrieb {} <support@tillwise.example>:".format(prev_author)
    elif lang == "french":
        intro = "Le mar. 3 mars 2026 à 14:02, {} <support@tillwise.example> a écrit :".format(prev_author)
    elif lang == "spanish":
        intro = "El mar, 3 mar 2026 a las 14:02, {} <support@tillwise.example> escribió:".format(prev_author)
    return intro + "\n" + "\n".join("> " + l for l in body.split("\n"))


def to_html(body):
    paras = body.split("\n\n")
    out = []
    for p in paras:
        if p.startswith(">") or "\n>" in p:
            out.append('<blockquote class="gmail_quote">' + p.replace("\n", "<br>") + "</blockquote>")
        else:
            out.append("<p>" + p.replace("&", "&amp;").replace("\n", "<br>") + "</p>")
    return '<div dir="ltr">' + "".join(out) + '</div><div style="font-size:10px;color:#888">&nbsp;</div>'


def dress(t, rng):
    """Turns the ticket's plain messages into mail as it arrives."""
    kinds, lang = t["kinds"], lang_of(t["kinds"])
    cust, agent, pl = t["cust"], t["agent"], t["product_line"]
    phone = t.get("phone")
    company = t.get("company")
    msgs, prev_agent = [], None
    cust_count = 0
    for role, body in t["msgs"]:
        body = body.replace("\\n", "\n")
        if t["raw"]:
            msgs.append({"role": role, "author": cust if role == "customer" else agent, "body": body})
            continue
        if role == "ooo":
            text = OOO.get(lang, OOO[None]).format(date="16 March", colleague="Jo")
            msgs.append({"role": "customer", "author": cust, "body": text})
            continue
        if role == "ack":
            msgs.append({"role": "agent", "author": "Tillwise Support", "body": ACK.format(ref="TW-" + t["id"][-3:] + "41")})
            continue
        if role == "internal":
            msgs.append({"role": "internal", "author": agent, "body": body})
            continue
        if role == "agent":
            hello = "Hi {},".format(first(cust)) if not lang else "{} {},".format(LANG_GREET[lang][0], first(cust))
            close = "Best," if not lang else LANG_GREET[lang][2] + ","
            sig = agent + ("\n" + TEAM[pl] if "signature" in kinds else "")
            text = "{}\n\n{}\n\n{}\n{}".format(hello, body, close, sig)
            msgs.append({"role": "agent", "author": agent, "body": text})
            prev_agent = text
            continue
        # customer
        cust_count += 1
        text = body
        if "greet" in kinds and not lang:
            text = "Hello,\n\n" + text
        if "signature" in kinds or "footer" in kinds:
            text += "\n\n" + signature(cust, phone, company, lang)
        else:
            text += "\n\n" + first(cust)
        if "footer" in kinds:
            text += "\n\n" + FOOTERS[(cust_count + len(t["id"])) % len(FOOTERS)]
        if "quoted" in kinds and prev_agent:
            text += "\n\n" + quote_block(agent, prev_agent, lang)
        msgs.append({"role": "customer", "author": cust, "body": text})
    if "long" in kinds:
        grow_long(t, msgs, rng)
    if "html" in kinds:
        for m in msgs:
            if m["role"] != "internal":
                m["body"] = to_html(m["body"])
    return msgs


def grow_long(t, msgs, rng):
    """Makes a 32-119 KB thread: a pasted log in the first customer message
    and every later customer message quoting the whole thread before it."""
    target = t.get("size", 48) * 1024
    for m in msgs:
        if m["role"] == "customer":
            m["body"] += "\n\nLog from the register below:\n\n" + pasted_log(rng, 40)
            break
    total = sum(len(m["body"]) for m in msgs)
    history = ""
    for m in msgs:
        if m["role"] == "customer" and history and total < target:
            add = "\n\n-----Original Message-----\n" + history
            m["body"] += add
            total += len(add)
        if m["role"] != "internal":
            history = m["body"] + "\n\n" + history
    if total < target:
        for m in msgs:
            if m["role"] == "customer":
                need = (target - total) // 90
                m["body"] += "\n\nFull log:\n" + pasted_log(rng, max(need, 10))
                break


def parse(path):
    tickets, t = [], None
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("= "):
            parts = [p.strip() for p in line[2:].split("|")]
            if len(parts) != 5:
                sys.exit("{}:{}: header needs 5 fields".format(path, n))
            t = {"id": parts[0], "product_line": parts[1], "subject": parts[2], "status": parts[3],
                 "kinds": [k for k in parts[4].split(",") if k], "msgs": [], "issue": [], "action": [],
                 "outcome": [], "forbid": [], "raw": False, "cust": "", "agent": ""}
            tickets.append(t)
            continue
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if t is None:
            sys.exit("{}:{}: text before the first ticket".format(path, n))
        if key == "cust":
            m = re.match(r"(.*?)\s*<(.*)>", val)
            t["cust"], t["email"] = (m.group(1), m.group(2)) if m else (val, "")
        elif key == "agent":
            t["agent"] = val
        elif key in ("phone", "company", "size"):
            t[key] = int(val) if key == "size" else val
        elif key in ("C", "A", "I"):
            t["msgs"].append(({"C": "customer", "A": "agent", "I": "internal"}[key], val))
        elif key == "OOO":
            t["msgs"].append(("ooo", ""))
        elif key == "ACK":
            t["msgs"].append(("ack", ""))
        elif key in ("issue", "action", "outcome"):
            t[key].append(val)
        elif key == "forbid":
            t["forbid"] += [v.strip() for v in val.split("|") if v.strip()]
        elif key == "raw":
            t["raw"] = True
        else:
            sys.exit("{}:{}: unknown key {!r}".format(path, n, key))
    return tickets


def split_of(tid):
    return "test" if hashlib.sha256(tid.encode()).digest()[0] < 77 else "dev"


def record(t):
    rng = random.Random(t["id"])
    msgs = dress(t, rng)
    forbid = list(t["forbid"])
    for v in [t["cust"], t.get("email", ""), t.get("phone", "")]:
        if v and v not in forbid:
            forbid.append(v)
    for part in t["cust"].split():
        if len(part) > 2 and part not in forbid:
            forbid.append(part)
    for i, m in enumerate(msgs):
        m["at"] = "2026-03-{:02d}T{:02d}:{:02d}:00Z".format(2 + i // 3, 9 + (i * 3) % 9, (i * 17) % 60)
    return {
        "id": t["id"], "subject": t["subject"], "product_line": t["product_line"],
        "customer": {"name": t["cust"], "email": t.get("email", "")},
        "created_at": msgs[0]["at"], "updated_at": msgs[-1]["at"],
        "messages": msgs, "expected_status": t["status"],
        "labels": {"split": split_of(t["id"]), "kinds": t["kinds"], "forbidden": forbid,
                   "facts": {"issue": t["issue"], "action": t["action"], "outcome": t["outcome"]}},
    }


def main():
    src = os.path.join(HERE, "src")
    tickets = []
    for name in sorted(os.listdir(src)):
        if name.endswith(".txt"):
            tickets += parse(os.path.join(src, name))
    seen = set()
    with open(os.path.join(HERE, "tickets.jsonl"), "w", encoding="utf-8") as f:
        for t in tickets:
            if t["id"] in seen:
                sys.exit("duplicate id " + t["id"])
            seen.add(t["id"])
            f.write(json.dumps(record(t), ensure_ascii=False) + "\n")
    splits = {}
    for t in tickets:
        splits[split_of(t["id"])] = splits.get(split_of(t["id"]), 0) + 1
    print("wrote {} tickets: {}".format(len(tickets), splits))


if __name__ == "__main__":
    main()
