package audit

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/awsendpoint"
)

// KMSAPI is the part of *kms.Client the KMS wrapper uses.
type KMSAPI interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// KMSKeyWrapper wraps data keys with an AWS KMS key: GenerateDataKey for
// each new file or object, Decrypt to read it back. Every call carries the
// encryption context {"service": "ticketsum", "purpose": "invocation-log"},
// so a key policy can limit who may decrypt the log.
type KMSKeyWrapper struct {
	client KMSAPI
	keyID  string
	logger *slog.Logger
}

var _ KeyWrapper = (*KMSKeyWrapper)(nil)

// NewKMSKeyWrapper returns a wrapper using client and the KMS key keyID
// (key id, ARN or "alias/..."). logger receives KMS's own text of the
// errors it answers, which the returned errors withhold; nil discards it.
func NewKMSKeyWrapper(client KMSAPI, keyID string, logger *slog.Logger) (*KMSKeyWrapper, error) {
	if client == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "KMS key wrapper: no KMS client")
	}
	if keyID == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "KMS key wrapper: no KMS key id")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &KMSKeyWrapper{client: client, keyID: keyID, logger: logger}, nil
}

// Name returns "kms".
func (*KMSKeyWrapper) Name() string { return "kms" }

var kmsContext = map[string]string{"service": "ticketsum", "purpose": "invocation-log"}

// GenerateDataKey implements KeyWrapper.
func (k *KMSKeyWrapper) GenerateDataKey(ctx context.Context) ([]byte, []byte, string, error) {
	out, err := k.client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId: aws.String(k.keyID), KeySpec: types.DataKeySpecAes256, EncryptionContext: kmsContext,
	})
	if err != nil {
		return nil, nil, "", k.kmsError(ctx, "generate data key", err)
	}
	if len(out.Plaintext) != 32 || len(out.CiphertextBlob) == 0 {
		return nil, nil, "", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "KMS returned a malformed data key")
	}
	return out.Plaintext, out.CiphertextBlob, aws.ToString(out.KeyId), nil
}

// UnwrapDataKey implements KeyWrapper.
func (k *KMSKeyWrapper) UnwrapDataKey(ctx context.Context, wrapped []byte, keyID string) ([]byte, error) {
	in := &kms.DecryptInput{CiphertextBlob: wrapped, EncryptionContext: kmsContext}
	if keyID != "" {
		in.KeyId = aws.String(keyID)
	}
	out, err := k.client.Decrypt(ctx, in)
	if err != nil {
		return nil, k.kmsError(ctx, "decrypt data key", err)
	}
	return out.Plaintext, nil
}

// kmsError translates a KMS error into a coded error, with KMS's text
// withheld (see awsError).
func (k *KMSKeyWrapper) kmsError(ctx context.Context, op string, err error) error {
	code := ticketsum.EUNAVAILABLE
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDeniedException", "InvalidCiphertextException", "IncorrectKeyException", "KMSInvalidStateException", "DisabledException":
			return awsError(ctx, k.logger, ticketsum.EFORBIDDEN, err, "KMS %s refused", op)
		case "NotFoundException":
			return awsError(ctx, k.logger, ticketsum.ENOTFOUND, err, "KMS %s: key not found", op)
		case "ThrottlingException", "LimitExceededException":
			code = ticketsum.ETHROTTLED
		case "ValidationException", "InvalidKeyUsageException":
			code = ticketsum.EINVALID
		}
	}
	return awsError(ctx, k.logger, code, err, "KMS %s failed", op)
}

// awsError codes err, the error of an S3 or KMS call, with code and the
// message format makes, followed by what identifies AWS's answer (its
// error code and request id). AWS's own text, which names accounts, roles,
// keys and buckets, is withheld from the error (ticketsum.Withheldf), as the
// errors can be shown (an API client's 503, a spooled record's reason), and
// logged to logger instead. An error that is not AWS's answer (a timeout,
// an unreachable endpoint) is the local library's and keeps its text.
func awsError(ctx context.Context, logger *slog.Logger, code ticketsum.ErrorCode, err error, format string, args ...any) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ticketsum.Errorf(code, format+": %w", append(args, err)...)
	}
	e := ticketsum.Withheldf(code, err, format+"%s", append(args, awsendpoint.ErrorIDs(err))...)
	logger.WarnContext(ctx, "AWS refused a call of the audit trail", "error", e.Message, "aws_error", err)
	return e
}
