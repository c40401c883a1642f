package review

import "errors"

// asImportError finds an *ImportError in err's chain.
func asImportError(err error, target **ImportError) bool {
	return errors.As(err, target)
}
