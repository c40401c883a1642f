// Package plan is the logic of `ticketsum plan`: from a workload (tickets a
// week, the peak hour, input and output tokens per ticket), measured from
// tickets and recorded summaries or given, it prices every catalogue model on
// every deployment surface (on-demand, on-demand with prompt caching of the
// static prompt, batch inference, provisioned throughput per commitment term,
// a SageMaker endpoint sized for the peak hour), gives the break-even volume
// of the fixed-price surfaces against on-demand, checks the peak hour against
// the configured quotas, recommends the cheapest surface that meets the
// constraints (data in the VPC, latency target, fine-tuned model) with its
// reasons, and marks which lifecycle stages the workload needs, with the
// evidence.
//
// Every price comes from the cost catalogue; none is written in code.
// Make returns a Plan, a JSON-ready struct; Render prints it as text tables;
// WriteHTML writes it as a self-contained page (Section, as a fragment the
// evaluation report embeds) with charts (package chart) of weekly cost
// against volume per surface from CostCurve at ChartVolumes, marking the current
// volume and the break-even points.
package plan
