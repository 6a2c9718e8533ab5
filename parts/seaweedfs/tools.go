//go:build tools

// Package tools pins SeaweedFS (github.com/seaweedfs/seaweedfs, versions.json's "seaweedfs"):
// the bootstrap builds its `weed` command, github.com/seaweedfs/seaweedfs/weed, from this module,
// so go.sum pins every module hash. go.mod repeats SeaweedFS's own one replace directive.
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"
