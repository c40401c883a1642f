package bedrocktest

import (
	"encoding/json"
	"net/http"
)

// apiError is an error answer in the AWS restJson1 encoding.
type apiError struct {
	status  int
	code    string // X-Amzn-ErrorType, e.g. ThrottlingException
	message string
	extra   map[string]any // extra body fields, e.g. originalStatusCode
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func errValidation(msg string) *apiError { return newError(400, "ValidationException", msg) }

func errThrottling() *apiError {
	return newError(429, "ThrottlingException", "Too many requests, please wait before trying again.")
}

// writeError writes e as Bedrock does: the status, X-Amzn-ErrorType with
// the coral namespace suffix (which the SDK strips), and a JSON body with
// "message" (SageMaker capitalises it as "Message").
func writeError(w http.ResponseWriter, service string, e *apiError) {
	body := map[string]any{}
	for k, v := range e.extra {
		body[k] = v
	}
	if service == "sagemaker" {
		body["Message"] = e.message
	} else {
		body["message"] = e.message
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", e.code+":http://internal.amazon.com/coral/com.amazon."+service+"/")
	w.WriteHeader(e.status)
	_, _ = w.Write(b)
}

// faultError is the error answer of a fault, for Bedrock or SageMaker, with
// the fault's Message when it sets one.
func faultError(f Fault, service, model string) *apiError {
	e := kindError(f.Kind, service, model)
	if f.Message != "" {
		e.message = f.Message
	}
	return e
}

// kindError is the usual error answer of a fault kind.
func kindError(kind FaultKind, service, model string) *apiError {
	sm := service == "sagemaker"
	switch kind {
	case FaultThrottle:
		return errThrottling()
	case FaultOverloaded:
		if sm {
			e := newError(424, "ModelError", "Received client error (429) from primary with message \"model overloaded\".")
			e.extra = map[string]any{"OriginalStatusCode": 429, "OriginalMessage": "model overloaded"}
			return e
		}
		return errThrottling()
	case FaultAccessDenied:
		if sm {
			return newError(400, "AccessDeniedException", "User is not authorized to perform: sagemaker:InvokeEndpoint on resource: endpoint/"+model)
		}
		return newError(403, "AccessDeniedException", "You don't have access to the model with the specified model ID.")
	case FaultValidation:
		if sm {
			return newError(400, "ValidationError", "Request is invalid.")
		}
		return errValidation("Malformed input request, please reformat your input and try again.")
	case FaultNotFound:
		if sm {
			return newError(400, "ValidationError", "Endpoint "+model+" of account 123456789012 not found.")
		}
		return newError(404, "ResourceNotFoundException", "Model not found.")
	case FaultUnavailable:
		if sm {
			return newError(503, "ServiceUnavailable", "The service is unavailable. Try your call again.")
		}
		return newError(503, "ServiceUnavailableException", "The service is temporarily unavailable. Please try again.")
	case FaultInternal:
		if sm {
			return newError(500, "InternalFailure", "An internal failure occurred.")
		}
		return newError(500, "InternalServerException", "The system encountered an unexpected error during processing. Try your request again.")
	case FaultModelNotReady:
		return newError(429, "ModelNotReadyException", "Model is not ready to serve inference requests. The model is being loaded.")
	case FaultModelTimeout:
		return newError(408, "ModelTimeoutException", "Model has timed out in processing the request. Try your request again.")
	case FaultModelError:
		if sm {
			e := newError(424, "ModelError", "Received server error (500) from primary with message \"model failed\".")
			e.extra = map[string]any{"OriginalStatusCode": 500, "OriginalMessage": "model failed"}
			return e
		}
		e := newError(424, "ModelErrorException", "The model returned an error processing the request.")
		e.extra = map[string]any{"originalStatusCode": 500, "resourceName": model}
		return e
	case FaultQuotaExceeded:
		return newError(400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account. You can view your quotas at https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html.")
	}
	return newError(500, "InternalServerException", "unknown fault")
}
