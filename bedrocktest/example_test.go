package bedrocktest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// A real bedrockruntime client against the fake, which throttles every
// second call.
func ExampleNewServer() {
	srv, err := bedrocktest.NewServer(bedrocktest.Config{
		Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Every: 2}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := bedrockruntime.NewFromConfig(srv.AWSConfig(), func(o *bedrockruntime.Options) { o.Retryer = aws.NopRetryer{} })

	for range 2 {
		out, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{
			ModelId: aws.String("us.amazon.nova-lite-v1:0"),
			Messages: []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{
				&types.ContentBlockMemberText{Value: "My parcel tracking page shows an error. Agent: fixed the tracking link; resolved."},
			}}},
			InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(100)},
		})
		if err != nil {
			fmt.Println("error:", errorCode(err))
			continue
		}
		fmt.Println(out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value)
	}
	s := srv.Stats()
	fmt.Println(s.Calls["us.amazon.nova-lite-v1:0"], "calls,", s.Throttled, "throttled")
	// Output:
	// The customer contacted support about a problem with tracking, parcel and page. The agent reviewed the details and explained the steps to fix it. The issue is resolved.
	// error: ThrottlingException
	// 2 calls, 1 throttled
}
