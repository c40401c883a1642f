package main

import (
	"context"
	"encoding/json"
	"log"

	bifrost "github.com/maximhq/bifrost/core"
	"github.com/maximhq/bifrost/core/schemas"
	"github.com/valyala/fasthttp"
)

// account is Bifrost's configuration: one OpenAI provider at the upstream.
type account struct{ upstream string }

func (a account) GetConfiguredProviders() ([]schemas.ModelProvider, error) {
	return []schemas.ModelProvider{schemas.OpenAI}, nil
}

func (a account) GetKeysForProvider(*context.Context, schemas.ModelProvider) ([]schemas.Key, error) {
	return []schemas.Key{{ID: "k", Value: "upstream-key", Models: []string{}, Weight: 1}}, nil
}

func (a account) GetConfigForProvider(schemas.ModelProvider) (*schemas.ProviderConfig, error) {
	c := &schemas.ProviderConfig{NetworkConfig: schemas.NetworkConfig{BaseURL: a.upstream, DefaultRequestTimeoutInSeconds: 30},
		ConcurrencyAndBufferSize: schemas.ConcurrencyAndBufferSize{Concurrency: 256, BufferSize: 4096}}
	c.CheckAndSetDefaults()
	return c, nil
}

// runBifrost serves POST /v1/chat/completions through Bifrost core behind a
// minimal fasthttp front (Bifrost's own HTTP transport is not served by the
// module proxy).
func runBifrost(addr, upstream string) {
	client, err := bifrost.Init(context.Background(), schemas.BifrostConfig{Account: account{upstream: upstream},
		Logger: bifrost.NewDefaultLogger(schemas.LogLevelError), InitialPoolSize: 1000})
	if err != nil {
		log.Fatal(err)
	}
	type in struct {
		Model    string                `json:"model"`
		Messages []schemas.ChatMessage `json:"messages"`
	}
	h := func(c *fasthttp.RequestCtx) {
		var req in
		if err := json.Unmarshal(c.PostBody(), &req); err != nil {
			c.Error(err.Error(), 400)
			return
		}
		resp, berr := client.ChatCompletionRequest(context.Background(), &schemas.BifrostChatRequest{Provider: schemas.OpenAI, Model: req.Model, Input: req.Messages})
		if berr != nil {
			c.Error("upstream error", 502)
			return
		}
		b, _ := json.Marshal(resp)
		c.SetContentType("application/json")
		c.SetBody(b)
	}
	log.Fatal(fasthttp.ListenAndServe(addr, h))
}
