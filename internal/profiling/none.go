//go:build !pprof

// Package profiling profiles the provider's process where the build asks for it (-tags
// pprof, used by make bench); in every other build it does nothing.
package profiling

// Start does nothing without -tags pprof.
func Start() (stop func()) { return func() {} }
