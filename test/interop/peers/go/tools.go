//go:build tools

// Package peers pins the grpc-go interop programs that scripts/install-peers.sh builds.
package peers

import (
	_ "google.golang.org/grpc/interop/client"
	_ "google.golang.org/grpc/interop/server"
)
