package telemetry

import (
	"net/url"
	"strings"
)

// ServerAddress returns the function that gives a model's server.address
// for ModelCalls: the host its provider's calls go to, as the standard AWS
// variables (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME,
// AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION, read with getenv) and
// the configuration set it, or "" when it cannot be told. awsRegion, when
// set, wins over the region variables; openAIBaseURL is the
// OpenAI-compatible server's base URL. A nil getenv reads nothing.
func ServerAddress(getenv func(string) string, awsRegion, openAIBaseURL string) func(model string) string {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	host := func(u string) string {
		p, err := url.Parse(u)
		if err != nil {
			return ""
		}
		return p.Hostname()
	}
	return func(model string) string {
		kind, _, _ := strings.Cut(model, ":")
		var service, prefix string
		switch kind {
		case "openai":
			return host(openAIBaseURL)
		case "bedrock":
			service, prefix = "BEDROCK_RUNTIME", "bedrock-runtime"
		case "sagemaker":
			service, prefix = "SAGEMAKER_RUNTIME", "runtime.sagemaker"
		default:
			return ""
		}
		for _, v := range []string{"AWS_ENDPOINT_URL_" + service, "AWS_ENDPOINT_URL"} {
			if u := getenv(v); u != "" {
				return host(u)
			}
		}
		region := awsRegion
		for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			if region == "" {
				region = getenv(v)
			}
		}
		if region == "" {
			return ""
		}
		return prefix + "." + region + ".amazonaws.com"
	}
}
