package deploy

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const templatePath = "template.yaml"

// knownTypes are the resource types the template may use.
var knownTypes = map[string]bool{
	"AWS::SQS::Queue": true, "AWS::SQS::QueuePolicy": true, "AWS::Events::Rule": true,
	"AWS::CloudWatch::Alarm": true, "AWS::KMS::Key": true, "AWS::KMS::Alias": true,
	"AWS::S3::Bucket": true, "AWS::S3::BucketPolicy": true, "AWS::Bedrock::Guardrail": true,
	"AWS::Bedrock::GuardrailVersion": true, "AWS::Logs::LogGroup": true, "AWS::IAM::Role": true,
	"AWS::Lambda::Function": true, "AWS::Lambda::EventSourceMapping": true,
	"AWS::SNS::Topic": true, "AWS::SNS::Subscription": true,
}

var pseudoParams = map[string]bool{
	"AWS::AccountId": true, "AWS::Region": true, "AWS::Partition": true, "AWS::StackName": true,
	"AWS::StackId": true, "AWS::URLSuffix": true, "AWS::NoValue": true, "AWS::NotificationARNs": true,
}

func resourcesOfType(t *template, typ string) []string {
	var names []string
	for n, r := range t.Resources {
		if r.Type == typ {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

func TestResourceTypesKnown(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	if len(tpl.Resources) < 10 {
		t.Fatalf("only %d resources parsed", len(tpl.Resources))
	}
	for name, r := range tpl.Resources {
		if !knownTypes[r.Type] {
			t.Errorf("resource %s has unknown type %q", name, r.Type)
		}
		if r.Condition != "" && tpl.Conditions[r.Condition] == nil {
			t.Errorf("resource %s has undefined condition %q", name, r.Condition)
		}
	}
}

// referenceProblems lists every Ref, GetAtt, Sub variable and condition
// name that points at nothing, and every parameter nothing uses.
func referenceProblems(tpl *template) []string {
	var problems []string
	used := map[string]bool{}
	defined := func(name string) bool {
		_, isParam := tpl.Parameters[name]
		_, isRes := tpl.Resources[name]
		if isParam {
			used[name] = true
		}
		return isParam || isRes || pseudoParams[name]
	}
	check := func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if r, ok := m["Ref"].(string); ok && !defined(r) {
			problems = append(problems, path+": Ref "+r+" is not a parameter or resource")
		}
		if g, ok := m["Fn::GetAtt"].([]any); ok {
			if len(g) != 2 {
				problems = append(problems, path+": malformed GetAtt")
			} else if _, ok := tpl.Resources[text(g[0])]; !ok {
				problems = append(problems, path+": GetAtt "+text(g[0])+" is not a resource")
			}
		}
		if s, ok := m["Fn::Sub"]; ok {
			for _, v := range subVars(s) {
				name, attr, hasAttr := strings.Cut(v, ".")
				if hasAttr {
					if _, ok := tpl.Resources[name]; !ok || attr == "" {
						problems = append(problems, path+": Sub ${"+v+"} is not a resource attribute")
					}
				} else if !defined(name) {
					problems = append(problems, path+": Sub ${"+v+"} is not a parameter or resource")
				}
			}
		}
		if f, ok := m["Fn::If"].([]any); ok {
			if len(f) != 3 || tpl.Conditions[text(f[0])] == nil {
				problems = append(problems, path+": Fn::If on an undefined condition")
			}
		}
		if c, ok := m["Condition"].(string); ok && tpl.Conditions[c] == nil {
			problems = append(problems, path+": condition "+c+" is undefined")
		}
	}
	for name, r := range tpl.Resources {
		walk(r.Properties, "Resources."+name, check)
	}
	walk(tpl.Conditions, "Conditions", check)
	walk(tpl.Outputs, "Outputs", check)
	for p := range tpl.Parameters {
		if !used[p] {
			problems = append(problems, "parameter "+p+" is never used")
		}
	}
	return problems
}

func TestReferencesResolve(t *testing.T) {
	t.Parallel()
	for _, p := range referenceProblems(MustParse(t, templatePath)) {
		t.Error(p)
	}
}

// The checks catch what they are for, on small broken templates.
func TestChecksCatchMistakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
		check            func(*template) []string
	}{
		{"dangling Ref", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref Missing}}`, "Ref Missing", referenceProblems},
		{"dangling GetAtt", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt Nope.Arn}}`, "GetAtt Nope", referenceProblems},
		{"dangling Sub", `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${AWS::StackName}-${Gone}"}}`, "Sub ${Gone}", referenceProblems},
		{"unused parameter", `
Parameters: {Unused: {Type: String}}
Resources:
  Q: {Type: AWS::SQS::Queue}`, "Unused is never used", referenceProblems},
		{"wildcard action", `
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument: {Statement: [{Effect: Allow, Action: "sqs:*", Resource: !GetAtt Q.Arn}]}`, `action "sqs:*"`, policyProblems},
		{"wildcard resource", `
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument: {Statement: [{Effect: Allow, Action: sqs:DeleteMessage, Resource: "*"}]}`, "on every resource", policyProblems},
		{"bedrock on any model", `
Parameters: {ModelId: {Type: String}}
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: bedrock:InvokeModel
                Resource: !Sub arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-opus`, "not built from the model parameters", policyProblems},
		{"bedrock in any region without condition", `
Parameters: {ModelId: {Type: String}}
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: bedrock:InvokeModel
                Resource: !Sub arn:${AWS::Partition}:bedrock:*::foundation-model/${ModelId}`, "no condition", policyProblems},
		{"unexpected grant", `
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument: {Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Q.Arn}]}`, "grants sqs:SendMessage", policyProblems},
		{"managed policy", `
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]`, "managed policies", policyProblems},
		{"not action", `
Resources:
  B:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, NotAction: s3:DeleteObject, Resource: !Sub "${B}/*"}]}`, "NotAction", policyProblems},
	}
	for _, tt := range tests {
		tpl, err := parse([]byte(tt.yaml))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		problems := tt.check(tpl)
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
			t.Errorf("%s: problems %q, want one containing %q", tt.name, problems, tt.want)
		}
	}
}

func TestLeastPrivilege(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	for _, p := range policyProblems(tpl) {
		t.Error(p)
	}
	// The role is the function's, and only the function's.
	roles := resourcesOfType(tpl, "AWS::IAM::Role")
	if len(roles) != 1 {
		t.Fatalf("roles = %v, want one", roles)
	}
	trust := statements("trust", tpl.Resources[roles[0]].Properties["AssumeRolePolicyDocument"])
	if len(trust) != 1 || !strings.Contains(text(mapOf(expandIf(tpl.Resources[roles[0]].Properties["AssumeRolePolicyDocument"])[0])["Statement"]), "lambda.amazonaws.com") {
		t.Errorf("role trust = %+v, want lambda.amazonaws.com only", trust)
	}
	// Each grant the function needs is there, on the right resource.
	want := map[string]string{
		"bedrock:InvokeModel":    "${ModelId}",
		"sqs:ReceiveMessage":     "GetAtt:TicketQueue.Arn",
		"sqs:DeleteMessage":      "GetAtt:TicketQueue.Arn",
		"rds-db:connect":         ":dbuser:${DatabaseResourceId}/${DatabaseUser}",
		"s3:PutObject":           "Sub:${LogBucket.Arn}/invocations/*",
		"kms:GenerateDataKey":    "GetAtt:LogKey.Arn",
		"logs:PutLogEvents":      "GetAtt:FunctionLogGroup.Arn",
		"bedrock:ApplyGuardrail": "GetAtt:Guardrail.GuardrailArn",
	}
	var all []statement
	for _, p := range expandIf(tpl.Resources[roles[0]].Properties["Policies"]) {
		all = append(all, statements("role", mapOf(p)["PolicyDocument"])...)
	}
	for action, res := range want {
		found := false
		for _, st := range all {
			if st.effect == "Allow" && slices.Contains(st.actions, action) &&
				slices.ContainsFunc(st.resources, func(r any) bool { return strings.Contains(text(r), res) }) {
				found = true
			}
		}
		if !found {
			t.Errorf("no grant of %s on %s", action, res)
		}
	}
}

func TestQueueAndMapping(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	q := tpl.Resources["TicketQueue"]
	rp := mapOf(q.Properties["RedrivePolicy"])
	dlq := mapOf(rp["deadLetterTargetArn"])["Fn::GetAtt"]
	if g, ok := dlq.([]any); !ok || tpl.Resources[text(g[0])].Type != "AWS::SQS::Queue" || text(g[0]) == "TicketQueue" {
		t.Fatalf("TicketQueue redrive target = %v, want another queue's Arn", rp["deadLetterTargetArn"])
	}
	if p := text(mapOf(rp["maxReceiveCount"])["Ref"]); tpl.Parameters[p] == nil {
		t.Errorf("maxReceiveCount = %v, want a parameter", rp["maxReceiveCount"])
	}
	maps := resourcesOfType(tpl, "AWS::Lambda::EventSourceMapping")
	if len(maps) != 1 {
		t.Fatalf("event source mappings = %v, want one", maps)
	}
	m := tpl.Resources[maps[0]].Properties
	if !slices.Contains(expandIf(m["FunctionResponseTypes"]), any("ReportBatchItemFailures")) {
		t.Error("the mapping does not report batch item failures: one failed ticket would retry its whole batch")
	}
	if text(m["EventSourceArn"]) != "GetAtt:TicketQueue.Arn" || text(m["FunctionName"]) != "Ref:Function" {
		t.Errorf("mapping = %v -> %v, want TicketQueue -> Function", text(m["EventSourceArn"]), text(m["FunctionName"]))
	}
	// SQS redelivers a message still being worked when the visibility
	// timeout is shorter than the function's; AWS advises six times. The
	// visibility timeout follows the function timeout through a mapping
	// with an entry for every allowed timeout.
	if text(mapOf(tpl.Resources["Function"].Properties["Timeout"])["Ref"]) != "FunctionTimeout" {
		t.Fatalf("function timeout = %v, want the FunctionTimeout parameter", tpl.Resources["Function"].Properties["Timeout"])
	}
	if got := text(q.Properties["VisibilityTimeout"]); got != "FindInMap:[VisibilityForTimeout Ref:FunctionTimeout Seconds]" {
		t.Fatalf("queue visibility = %s, want it looked up from the function timeout", got)
	}
	allowed := expandIf(mapOf(tpl.Parameters["FunctionTimeout"])["AllowedValues"])
	if len(allowed) == 0 {
		t.Fatal("FunctionTimeout has no allowed values, so the mapping cannot cover them")
	}
	byTimeout := mapOf(tpl.Mappings["VisibilityForTimeout"])
	for _, v := range allowed {
		timeout, _ := strconv.Atoi(text(v))
		vis, err := strconv.Atoi(text(mapOf(byTimeout[text(v)])["Seconds"]))
		if err != nil || timeout < 1 || vis < 6*timeout {
			t.Errorf("function timeout %v: queue visibility %v, want at least six times it", v, byTimeout[text(v)])
		}
	}
	// The function learns the queue's maxReceiveCount from the same
	// parameter, so it records a failed state on the last delivery.
	env := mapOf(mapOf(tpl.Resources["Function"].Properties["Environment"])["Variables"])
	if text(env["TICKETSUM_MAX_RECEIVE_COUNT"]) != "Ref:"+text(mapOf(rp["maxReceiveCount"])["Ref"]) {
		t.Errorf("TICKETSUM_MAX_RECEIVE_COUNT = %v, want the redrive policy's maxReceiveCount parameter", env["TICKETSUM_MAX_RECEIVE_COUNT"])
	}
	// AWS rejects a batch size over 10 without a batching window: a rule
	// refuses that combination before any resource is created.
	if text(m["MaximumBatchingWindowInSeconds"]) != "Ref:MaximumBatchingWindow" {
		t.Errorf("batching window = %v, want the MaximumBatchingWindow parameter", m["MaximumBatchingWindowInSeconds"])
	}
	rule := mapOf(tpl.Rules["BatchSizeNeedsBatchingWindow"])
	cond := text(rule["RuleCondition"])
	assert := text(expandIf(rule["Assertions"]))
	if !strings.Contains(cond, "Ref:BatchSize") || !strings.Contains(cond, "10") || !strings.Contains(assert, "Ref:MaximumBatchingWindow") {
		t.Errorf("batch size rule: condition %s, assertions %s; want BatchSize over 10 to need a window", cond, assert)
	}
}

// Stateful resources say what happens to them when the stack is deleted or
// they are replaced; the invocation log's key lives as long as its bucket.
func TestStatefulResourcesExplicit(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	for name, r := range tpl.Resources {
		switch r.Type {
		case "AWS::SQS::Queue", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup":
			if r.DeletionPolicy == "" || r.UpdateReplacePolicy == "" {
				t.Errorf("%s (%s): deletion %q, update-replace %q; want both explicit", name, r.Type, r.DeletionPolicy, r.UpdateReplacePolicy)
			}
		}
	}
	key, bucket := tpl.Resources["LogKey"], tpl.Resources["LogBucket"]
	if key.DeletionPolicy != bucket.DeletionPolicy || key.UpdateReplacePolicy != bucket.UpdateReplacePolicy || bucket.DeletionPolicy != "Retain" {
		t.Errorf("log key %s/%s, bucket %s/%s: a retained log needs its retained key", key.DeletionPolicy, key.UpdateReplacePolicy,
			bucket.DeletionPolicy, bucket.UpdateReplacePolicy)
	}
	if tpl.Resources["DeadLetterQueue"].DeletionPolicy != "Retain" {
		t.Error("the dead-letter queue holds failed tickets and must be retained")
	}
}

// Someone hears of every way tickets stop being summarised.
func TestAlarmsNotify(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	want := map[string]string{
		"AWS/SQS ApproximateNumberOfMessagesVisible GetAtt:DeadLetterQueue.QueueName":      "dead-letter queue depth",
		"AWS/SQS ApproximateNumberOfMessagesVisible GetAtt:EventDeadLetterQueue.QueueName": "undelivered events",
		"AWS/SQS ApproximateAgeOfOldestMessage GetAtt:TicketQueue.QueueName":               "oldest message age",
		"AWS/Lambda Errors Ref:Function":                                                   "function errors",
		"AWS/Lambda Throttles Ref:Function":                                                "function throttles",
	}
	for _, name := range resourcesOfType(tpl, "AWS::CloudWatch::Alarm") {
		p := tpl.Resources[name].Properties
		dims := expandIf(p["Dimensions"])
		if len(dims) != 1 {
			t.Errorf("alarm %s has dimensions %v, want one", name, dims)
			continue
		}
		key := text(p["Namespace"]) + " " + text(p["MetricName"]) + " " + text(mapOf(dims[0])["Value"])
		if _, ok := want[key]; !ok {
			t.Errorf("alarm %s watches %s, which no check expects", name, key)
			continue
		}
		if actions := expandIf(p["AlarmActions"]); len(actions) != 1 || text(actions[0]) != "Ref:AlarmTopic" {
			t.Errorf("alarm %s (%s) notifies %v, want the alarm topic", name, want[key], actions)
		}
		delete(want, key)
	}
	for _, what := range want {
		t.Errorf("no alarm on %s", what)
	}
	sub := tpl.Resources["AlarmEmailSubscription"]
	if sub.Type != "AWS::SNS::Subscription" || text(sub.Properties["TopicArn"]) != "Ref:AlarmTopic" || text(sub.Properties["Endpoint"]) != "Ref:AlarmEmail" {
		t.Errorf("alarm subscription = %+v, want the AlarmEmail parameter on the topic", sub)
	}
}

// Every cross-region inference profile prefix the bedrock package accepts
// can be deployed.
func TestInferenceProfilePrefixes(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	data, err := os.ReadFile("../bedrock/modelid.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`profilePrefixes = \[\]string\{([^}]*)\}`).FindSubmatch(data)
	if m == nil {
		t.Fatal("bedrock/modelid.go no longer declares profilePrefixes: update this test")
	}
	allowed := map[string]bool{}
	for _, v := range expandIf(mapOf(tpl.Parameters["InferenceProfilePrefix"])["AllowedValues"]) {
		allowed[text(v)] = true
	}
	for _, q := range regexp.MustCompile(`"([a-z-]+)\."`).FindAllSubmatch(m[1], -1) {
		if !allowed[string(q[1])] {
			t.Errorf("prefix %q is supported by the code but not an allowed InferenceProfilePrefix", q[1])
		}
	}
}

func defaultNumber(t *testing.T, tpl *template, param string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(text(mapOf(tpl.Parameters[param])["Default"]), 64)
	if err != nil {
		t.Fatalf("parameter %s: default %v: %v", param, mapOf(tpl.Parameters[param])["Default"], err)
	}
	return v
}

func TestFunction(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	f := tpl.Resources["Function"].Properties
	if f["Runtime"] != "provided.al2023" || f["Handler"] != "bootstrap" || !slices.Equal(expandIf(f["Architectures"]), []any{"arm64"}) {
		t.Errorf("runtime %v, handler %v, architectures %v; want provided.al2023, bootstrap, arm64", f["Runtime"], f["Handler"], f["Architectures"])
	}
	if p := text(mapOf(f["ReservedConcurrentExecutions"])["Ref"]); tpl.Parameters[p] == nil {
		t.Errorf("reserved concurrency = %v, want a parameter", f["ReservedConcurrentExecutions"])
	}
	vpc := expandIf(f["VpcConfig"])
	if len(vpc) != 1 || text(mapOf(vpc[0])["SubnetIds"]) != "Ref:SubnetIds" || text(mapOf(vpc[0])["SecurityGroupIds"]) != "Ref:SecurityGroupIds" {
		t.Errorf("VpcConfig = %v, want subnets and security groups from parameters", f["VpcConfig"])
	}
	// Environment: no secret values, and every variable is one the
	// function reads.
	src := readLambdaSource(t)
	secretName := regexp.MustCompile(`(?i)password|secret|token|api_?key`)
	for name, v := range mapOf(mapOf(f["Environment"])["Variables"]) {
		if secretName.MatchString(name) {
			t.Errorf("environment %s looks like a secret: pass an ARN or use IAM instead", name)
		}
		if s, ok := v.(string); ok && strings.Contains(s, "://") && strings.Contains(s, "@") {
			t.Errorf("environment %s holds a literal URL with credentials", name)
		}
		if !strings.Contains(src, `"`+name+`"`) && !strings.HasPrefix(name, "TICKETSUM_AUDIT_") {
			t.Errorf("environment %s is not read by cmd/ticketsum-lambda", name)
		}
	}
	// The database URL parameter cannot hold a password.
	re := regexp.MustCompile(text(mapOf(tpl.Parameters["DatabaseURL"])["AllowedPattern"]))
	if re.MatchString("postgres://app:hunter2@db.example.com:5432/support") || !re.MatchString("postgres://app@db.example.com:5432/support?sslmode=verify-full") {
		t.Errorf("DatabaseURL pattern %s lets a password in, or keeps a good URL out", re)
	}
}

// readLambdaSource returns the code that reads the function's
// environment: its settings, and the OTEL_* variables telemetry reads.
func readLambdaSource(t *testing.T) string {
	t.Helper()
	var src []byte
	for _, f := range []string{"../cmd/ticketsum-lambda/settings.go", "../telemetry/telemetry.go"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, data...)
	}
	return string(src)
}

func TestEventRuleToQueue(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	rule := tpl.Resources["TicketEventsRule"].Properties
	targets := expandIf(rule["Targets"])
	if len(targets) != 1 || text(mapOf(targets[0])["Arn"]) != "GetAtt:TicketQueue.Arn" {
		t.Fatalf("rule targets = %v, want the ticket queue", targets)
	}
	target := mapOf(targets[0])
	dlq := text(mapOf(target["DeadLetterConfig"])["Arn"])
	if dlq == "" || dlq == "GetAtt:TicketQueue.Arn" || mapOf(target["RetryPolicy"])["MaximumRetryAttempts"] == nil {
		t.Errorf("rule target: dead-letter %q, retry %v; want a dead-letter queue of its own and a retry policy", dlq, target["RetryPolicy"])
	}
	pattern := mapOf(rule["EventPattern"])
	if !slices.Contains(expandIf(pattern["detail-type"]), any("Ticket Created")) || !slices.Contains(expandIf(pattern["detail-type"]), any("Ticket Updated")) {
		t.Errorf("event pattern = %v, want ticket created and updated", pattern)
	}
	sts := statements("queue policy", tpl.Resources["TicketQueuePolicy"].Properties["PolicyDocument"])
	ok := false
	for _, st := range sts {
		src := mapOf(st.condition["ArnEquals"])["aws:SourceArn"]
		if st.effect == "Allow" && slices.Equal(st.actions, []string{"sqs:SendMessage"}) && text(src) == "GetAtt:TicketEventsRule.Arn" {
			ok = true
		}
	}
	if !ok {
		t.Error("the queue policy does not let exactly the rule send (aws:SourceArn condition)")
	}
}

func TestLogBucket(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	b := tpl.Resources["LogBucket"].Properties
	enc := expandIf(mapOf(b["BucketEncryption"])["ServerSideEncryptionConfiguration"])
	def := mapOf(mapOf(enc[0])["ServerSideEncryptionByDefault"])
	if def["SSEAlgorithm"] != "aws:kms" || text(def["KMSMasterKeyID"]) != "GetAtt:LogKey.Arn" {
		t.Errorf("bucket encryption = %v, want aws:kms with LogKey", def)
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if mapOf(b["PublicAccessBlockConfiguration"])[k] != "true" {
			t.Errorf("public access block %s is not true", k)
		}
	}
	if mapOf(tpl.Resources["LogKey"].Properties)["EnableKeyRotation"] != "true" {
		t.Error("the log key does not rotate")
	}
	tls := false
	for _, st := range statements("bucket policy", tpl.Resources["LogBucketPolicy"].Properties["PolicyDocument"]) {
		secure := mapOf(st.condition["Bool"])["aws:SecureTransport"]
		res := []string{}
		for _, r := range st.resources {
			res = append(res, text(r))
		}
		if st.effect == "Deny" && slices.Contains(st.actions, "s3:*") && secure == "false" &&
			slices.Contains(res, "GetAtt:LogBucket.Arn") && slices.Contains(res, "Sub:${LogBucket.Arn}/*") {
			tls = true
		}
	}
	if !tls {
		t.Error("the bucket policy does not deny every request without TLS on the bucket and its objects")
	}
}

func TestGuardrail(t *testing.T) {
	t.Parallel()
	tpl := MustParse(t, templatePath)
	g := tpl.Resources["Guardrail"]
	if g.Type != "AWS::Bedrock::Guardrail" || g.Condition == "" {
		t.Fatalf("guardrail %+v, want a conditional AWS::Bedrock::Guardrail", g)
	}
	// Personal data is anonymised on the way in (the ticket still gets a
	// summary) and blocked on the way out; topics and words apply to the
	// summary only, since customers may swear or threaten to sue.
	entities := expandIf(mapOf(g.Properties["SensitiveInformationPolicyConfig"])["PiiEntitiesConfig"])
	seen := map[string]bool{}
	for _, e := range entities {
		e := mapOf(e)
		typ := text(e["Type"])
		seen[typ] = true
		if text(e["InputAction"]) != "ANONYMIZE" || text(e["OutputAction"]) != "BLOCK" || text(e["InputEnabled"]) != "true" || text(e["OutputEnabled"]) != "true" {
			t.Errorf("PII %s: input %v (enabled %v), output %v (enabled %v); want ANONYMIZE in, BLOCK out", typ,
				e["InputAction"], e["InputEnabled"], e["OutputAction"], e["OutputEnabled"])
		}
	}
	for _, typ := range []string{"NAME", "EMAIL", "PHONE", "ADDRESS", "CREDIT_DEBIT_CARD_NUMBER", "US_SOCIAL_SECURITY_NUMBER", "PASSWORD", "AWS_SECRET_KEY"} {
		if !seen[typ] {
			t.Errorf("PII %s is not configured", typ)
		}
	}
	topics := expandIf(mapOf(g.Properties["TopicPolicyConfig"])["TopicsConfig"])
	if len(topics) == 0 || mapOf(topics[0])["Type"] != "DENY" {
		t.Errorf("topics = %v, want a denied topic", topics)
	}
	words := expandIf(mapOf(g.Properties["WordPolicyConfig"])["ManagedWordListsConfig"])
	for _, c := range append(topics, words...) {
		c := mapOf(c)
		if text(c["InputEnabled"]) != "false" || text(c["OutputEnabled"]) != "true" || text(c["OutputAction"]) != "BLOCK" {
			t.Errorf("%v: want input off and BLOCK on the output", c)
		}
	}
	env := mapOf(mapOf(tpl.Resources["Function"].Properties["Environment"])["Variables"])
	ifArgs, _ := mapOf(env["TICKETSUM_GUARDRAIL_ID"])["Fn::If"].([]any)
	if len(ifArgs) != 3 || ifArgs[0] != g.Condition || text(ifArgs[1]) != "GetAtt:Guardrail.GuardrailId" {
		t.Errorf("TICKETSUM_GUARDRAIL_ID = %v, want the guardrail's id under its condition", env["TICKETSUM_GUARDRAIL_ID"])
	}
}

// cfn-lint checks every property against the AWS resource specification,
// informational checks included. CI sets TICKETSUM_REQUIRE_CFN_LINT=1 so
// that a machine without it fails instead of skipping.
func TestCfnLint(t *testing.T) {
	t.Parallel()
	required := os.Getenv("TICKETSUM_REQUIRE_CFN_LINT") == "1"
	path, err := exec.LookPath("cfn-lint")
	if err != nil {
		if required {
			t.Fatal("cfn-lint is not installed and TICKETSUM_REQUIRE_CFN_LINT=1 (pip install cfn-lint)")
		}
		t.Skip("cfn-lint is not installed (pip install cfn-lint)")
	}
	if out, err := exec.Command(path, "--version").CombinedOutput(); err != nil {
		if required {
			t.Fatalf("cfn-lint does not run here (%v): %s", err, out)
		}
		t.Skipf("cfn-lint does not run here (%v): %s", err, out)
	}
	out, err := exec.Command(path, "--include-checks", "I", "--", templatePath).CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint: %v\n%s", err, out)
	}
}

func TestBuildScriptSyntax(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("bash", "-n", "build.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("bash -n build.sh: %v\n%s", err, out)
	}
	data, _ := os.ReadFile("build.sh")
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "bootstrap", "./cmd/ticketsum-lambda"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("build.sh lacks %q", want)
		}
	}
}
