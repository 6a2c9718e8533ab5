// Command etcd is etcd's own server entry point, built from the go.etcd.io/etcd/server/v3 module
// because the module that holds etcd's main package is not served by the Go module proxy here.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
