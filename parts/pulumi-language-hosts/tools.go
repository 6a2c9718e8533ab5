//go:build tools

// Package tools pins the Node.js, Python and Go language hosts of August 2025 (commit bee5e4fa4815,
// pin `languageHosts` in versions.json), which replaced the v3.66.0 hosts the bootstrap built
// before. The Python host honours a project's `virtualenv` runtime option.
//
// The Go module proxy serves the hosts' own modules at this pseudo-version, though the checksum
// database does not list it: scripts/build-engine.sh sets GONOSUMDB for these three module paths
// only, and go.sum pins their hashes. They do not compile against the engine's SDK
// (parts/pulumi/go.mod), so they live in a module of their own with github.com/pulumi/pulumi/pkg/v3 and
// sdk/v3 at v3.192.0; the pinned CLI drives them through the same language-host protocol. The
// Python host runs programs through sdk/v3's python/cmd/pulumi-language-python-exec, which the
// build copies beside it.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3"
	_ "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
	_ "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
)
