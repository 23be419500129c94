module github.com/omp-kit/omp-kit/sdk-go

go 1.24
