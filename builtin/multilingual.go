package builtin

import (
	"strings"

	"github.com/ticketsum/ticketsum"
)

// A ticket in another language is summarised in English from cues: words
// of the common European languages that name the topic of the customer's
// message and what the agent did. The tables are matched on lowercased
// text, most specific first.

// topicWords name the customer's topic as an English noun phrase.
var topicWords = []struct {
	topic string
	words []string
}{
	{"cancelling a subscription", []string{"kündig", "abonnement", " abo ", "suscripción", "subscrição", "assinatura", "résili", "abbonamento", "opzeg", "abonnement"}},
	{"a duplicate charge", []string{"doppelt abgebucht", "zweimal", "dos veces", "duplicad", "deux fois", "due volte", "doppio addebito", "duas vezes", "twee keer", "dubbel"}},
	{"a webhook delivered twice", []string{"webhook zweimal", "webhook kommt doppelt", "jeden order.paid webhook zweimal"}},
	{"webhooks not arriving", []string{"webhook non arrivano", "non riceviamo più i webhook", "webhooks no llegan", "webhooks n'arrivent"}},
	{"webhooks", []string{"webhook"}},
	{"an API key that stopped working", []string{"api-sleutel", "clé api", "api-schlüssel", "chiave api", "clave api", "chave api"}},
	{"API requests rejected as unauthorized", []string{"401", "403", "unauthorized", "forbidden"}},
	{"an authentication token", []string{"oauth", "token"}},
	{"a card reader", []string{"lector de tarjetas", "kartenleser", "kartenlesegerät", "lecteur de carte", "lettore di carte", "leitor de cartões", "leitor de cartão", "kaartlezer", "lecteur"}},
	{"a receipt printer", []string{"impresora", "drucker", "imprimante", "stampante", "impressora", "printer", "bon drucken", "imprimir", "imprime"}},
	{"an app crash", []string{"stürzt", "absturz", "se cierra", "plante", "si blocca", "crasht", "fecha sozinha"}},
	{"an app that does not open", []string{"non si apre", "no se abre", "ne s'ouvre", "não abre", "opent niet"}},
	{"a login problem", []string{"iniciar sesión", "anmeld", "einloggen", "connexion", "connecter", "accedere", "inloggen", "contraseña", "passwort", "mot de passe", "senha", "wachtwoord"}},
	{"sales not syncing", []string{"synchron", "sincroniz", "synchronis", "sincronizz"}},
	{"sales not showing", []string{"ventes", "ventas", "vendite", "verkopen", "umsätze", "vendas"}},
	{"stock levels not syncing", []string{"lagerbestände", "inventario", "voorraad"}},
	{"an app update", []string{"update", "actualiz", "mise à jour", "aggiorn", "atualiz"}},
	{"wrong prices", []string{"preise", "precio", "prix", "prezzi", "preço", "prijzen", "prijs"}},
	{"a VAT rate", []string{"mwst", " iva", "tva", "btw", "aliquot"}},
	{"an empty sales export", []string{"export", "exportación"}},
	{"a sales report", []string{"bericht", "informe", "rapport", "rapporto", "relatório"}},
	{"a menu change", []string{"menu", "menú"}},
	{"an invoice", []string{"invoice", "factura", "rechnung", "facture", "fattura", "fatura", "factuur"}},
	{"a refund", []string{"refund", "reembolso", "rückerstattung", "erstattung", "remboursement", "rimborso", "terugbetaling"}},
	{"a payment", []string{"payment", "pago", "zahlung", "paiement", "pagamento", "betaling", "prélev", "addebit", "cobr"}},
	{"an order", []string{"pedido", "bestellung", "commande", "ordine", "bestelling"}},
	{"stock levels", []string{"stock", "lager", "estoque"}},
	{"a repair", []string{"repair", "reparación", "reparatur", "réparation", "riparazione", "reparação", "reparatie"}},
}

// agentActions name what an agent did, in the simple past.
var agentActions = []struct {
	action string
	words  []string
}{
	{"sent a replacement", []string{"replacement", "reemplazo", "sustitución", "ersatz", "austausch", "remplacement", "sostituzione", "sostitutiv", "substituição", "vervanging"}},
	{"asked the technical team to check it", []string{"he pedido a nuestro equipo", "equipo técnico", "technische team", "équipe technique", "team tecnico", "technik-team"}},
	{"passed the issue to another team", []string{"weitergeleitet", "transmis", "he pasado", "he enviado el problema", "he pedido a nuestro equipo", "inoltrat", "doorgestuurd", "encaminh", "nachgefragt"}},
	{"issued a credit", []string{"gutschrift", "abono", "un avoir", "nota di credito", "creditnota"}},
	{"refunded the charge", []string{"reembolso", "rimborso", "erstattet", "rückerstattung", "remboursé", "remboursement effectué", "he devuelto", "reembols", "terugbetaald", "rembours"}},
	{"cancelled the subscription", []string{"gekündigt", "storniert", "cancelado", "cancelei", "résilié", "annulé", "annullat", "geannuleerd", "opgezegd"}},
	{"corrected the invoice", []string{"corrigé la facture", "facture corrigée", "rechnung korrigiert", "corregido la factura", "corretto la fattura"}},
	{"fixed the fault", []string{"behoben", "corrigé", "solucionado", "risolto", "opgelost", "corrigido", "résolu"}},
	{"released an app version that fixes it", []string{"versión", "version 6", "versione", "versão", "versie"}},
	{"reissued the invoice", []string{"opnieuw gemaakt", "neu erstellt", "nouvelle facture", "nueva factura"}},
	{"created a new API key", []string{"nouvelle clé", "neuen schlüssel", "nueva clave", "nuova chiave", "nieuwe sleutel"}},
	{"removed the cause", []string{"supprimé", "gelöscht", "eliminado", "eliminato", "verwijderd", "apagado", "desemparelh"}},
	{"added what was missing", []string{"toegevoegd", "hinzugefügt", "añadido", "aggiunto", "ajouté", "adicionei"}},
	{"corrected the setting", []string{"aangepast", "geändert", "modifié", "cambiado", "modificato", "alterado", "mis à jour", "aktualisiert", "ajustado", "ik heb", "j'ai mis", "pus o", "gezet"}},
	{"restarted the update", []string{"neu gestartet", "redémarré", "reiniciado"}},
	{"explained the cause", []string{"weil", "porque", "parce que", "perché", "omdat", "liegt", "venait", "betekent", "significa", "signifie"}},
}

// topicOf names the ticket's topic in English: a topic found in the
// customer's text, else the product line ("a billing issue").
func topicOf(customerText, productLine string) string {
	lower := strings.ToLower(customerText)
	for _, t := range topicWords {
		if containsAny(lower, t.words) {
			return t.topic
		}
	}
	if pl := productPhrase(productLine); pl != "" {
		return withArticle(pl + " issue")
	}
	return "an issue"
}

// actionOf names what the agent did from words of several languages, or
// "": "refunded the charge", "passed the issue to another team".
func actionOf(agentText string) string {
	lower := strings.ToLower(agentText)
	for _, a := range agentActions {
		if containsAny(lower, a.words) {
			return a.action
		}
	}
	return ""
}

// foreignIssue states in English, from multilingual cues, what a customer
// who wrote in another language raised.
func foreignIssue(d *digest) string {
	return "The customer wrote in " + d.customerLang + " about " + topicOf(d.customerText, d.productLine) + "."
}

// foreignAction states what an agent who wrote in another language did;
// lang is the agent's language.
func foreignAction(d *digest, lang string) string {
	c := "Replying in " + lang + ", the agent "
	a := actionOf(d.agentText)
	switch {
	case a != "" && d.status == ticketsum.StatusAwaitingCustomer && !strings.HasPrefix(a, "explained"):
		return c + a + " and asked the customer for more information."
	case a != "":
		return c + a + "."
	case d.status == ticketsum.StatusAwaitingCustomer:
		return c + "asked the customer for more information."
	}
	return c + "answered the question."
}
