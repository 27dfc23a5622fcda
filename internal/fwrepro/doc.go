// Package fwrepro is a minimal reproduction, for terraform-plugin-framework's
// maintainers, of the framework's per-object plan cost growing with the square of a
// resource's attribute count: a resource of N string attributes and nothing else,
// driven through providerserver's PlanResourceChange. The benchmark is in
// fwrepro_test.go; README.md holds the analysis, the profile and the measurements.
//
//	go test ./internal/fwrepro -run '^$' -bench . -benchmem
package fwrepro
