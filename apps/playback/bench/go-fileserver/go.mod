module kubevod.local/bench/go-fileserver

go 1.22
