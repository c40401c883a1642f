package api

import (
	"net/http"
	"slices"

	"github.com/ticketsum/ticketsum"
)

// serveModels handles GET /v1/models: the models of Config.ModelNames that
// the caller's principal may call (approved and in its allow-list), in
// OpenAI's list shape.
func (h *Handler) serveModels(w http.ResponseWriter, r *http.Request, c *caller) {
	names := slices.Clone(h.cfg.ModelNames())
	slices.Sort(names)
	out := modelList{Object: "list", Data: []modelEntry{}}
	for _, name := range slices.Compact(names) {
		err := h.cfg.Access.Authorize(r.Context(), c.Principal, name)
		switch ticketsum.ErrorCodeOf(err) {
		case "":
			out.Data = append(out.Data, modelEntry{ID: name, Object: "model", OwnedBy: "ticketsum"})
		case ticketsum.EFORBIDDEN:
		default:
			h.fail(w, r, openAIShape, c, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}
