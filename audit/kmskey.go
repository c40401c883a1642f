package audit

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/ticketsum/ticketsum"
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
}

var _ KeyWrapper = (*KMSKeyWrapper)(nil)

// NewKMSKeyWrapper returns a wrapper using client and the KMS key keyID
// (key id, ARN or "alias/...").
func NewKMSKeyWrapper(client KMSAPI, keyID string) (*KMSKeyWrapper, error) {
	if client == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "KMS key wrapper: no KMS client")
	}
	if keyID == "" {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "KMS key wrapper: no KMS key id")
	}
	return &KMSKeyWrapper{client: client, keyID: keyID}, nil
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
		return nil, nil, "", kmsError("generate data key", err)
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
		return nil, kmsError("decrypt data key", err)
	}
	return out.Plaintext, nil
}

// kmsError translates a KMS error into a coded error.
func kmsError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDeniedException", "InvalidCiphertextException", "IncorrectKeyException", "KMSInvalidStateException", "DisabledException":
			return ticketsum.Errorf(ticketsum.EFORBIDDEN, "KMS %s refused (%s): %w", op, ae.ErrorCode(), err)
		case "NotFoundException":
			return ticketsum.Errorf(ticketsum.ENOTFOUND, "KMS %s: key not found: %w", op, err)
		case "ThrottlingException", "LimitExceededException":
			return ticketsum.Errorf(ticketsum.ETHROTTLED, "KMS %s throttled: %w", op, err)
		case "ValidationException", "InvalidKeyUsageException":
			return ticketsum.Errorf(ticketsum.EINVALID, "KMS %s: %w", op, err)
		}
	}
	return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "KMS %s failed: %w", op, err)
}
