// Package webauth says who is using the web UI and the JSON API, and what
// they may do.
//
// An Authenticator identifies each request in one of three modes:
//
//   - "oidc": people sign in with the team's OpenID Connect provider
//     (authorization code flow with PKCE, github.com/coreos/go-oidc and
//     golang.org/x/oauth2); the session lives in an encrypted,
//     HttpOnly, Secure, SameSite=Lax cookie.
//   - "proxy": a trusted reverse proxy has already signed people in and
//     says who they are: oauth2-proxy's X-Forwarded-Email and
//     X-Forwarded-Groups headers, or an AWS Application Load Balancer's
//     signed x-amzn-oidc-data JWT, verified with configured keys. Headers
//     are believed only from the configured proxy addresses.
//   - "loopback": no sign-in; every request from the local machine acts as
//     the local operator (admin). The command tree refuses this mode on a
//     listener outside loopback.
//
// A bearer token (an API key) can identify JSON API callers in every mode,
// through Config.Bearer.
//
// Identities carry one Role, from the groups or roles claim through
// Config.Roles: reviewer (reads tickets and reviews summaries), pm (also
// rates summaries blind and starts rating runs), admin (also governance,
// usage, logs and administration). Require guards a handler with the role
// it needs; a denial names the role and how to get it.
//
// CSRF tokens are bound to the session: Token returns the token to put in a
// form, CheckCSRF verifies a state-changing request's token.
package webauth
