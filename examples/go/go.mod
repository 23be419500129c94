module github.com/omp-kit/omp-kit/examples/go

go 1.24

require github.com/omp-kit/omp-kit/sdk-go v0.0.0

// The SDK of this repository, not a published version: the example always runs against the code beside it.
replace github.com/omp-kit/omp-kit/sdk-go => ../../sdk-go
