//go:build tools

// Package tools pins the Node.js, Python and Go language hosts that scripts/build-engine.sh builds.
// The Go module proxy here refuses the hosts' own modules (…/pulumi-language-*/v3), so they come
// from the last SDK release that still held all three, v3.66.0; the current CLI drives them
// through the same language-host protocol.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go"
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
