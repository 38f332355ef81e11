module github.com/commitcheck/commitcheck/shims/go

go 1.19
