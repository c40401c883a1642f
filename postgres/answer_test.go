package postgres_test

import (
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/storetest"
)

func TestAnswerStore(t *testing.T) {
	t.Parallel()
	storetest.RunAnswers(t, func(t *testing.T) ticketsum.AnswerStore { return MustOpen(t) })
}
