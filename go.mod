module github.com/zkcurator/zkcurator

go 1.26
