// Command gen-sdk writes the Python and Go SDKs of a Pulumi package schema with Pulumi's own code
// generators (pkg/v3/codegen), the ones `pulumi package gen-sdk` runs. That command reaches them
// through the language plugins, which the Go module proxy here does not serve; the generators
// themselves are in the pkg module, pinned with the engine.
//
//	gen-sdk SCHEMA.json OUT-DIR
//
// writes OUT-DIR/python and OUT-DIR/go, replacing what was there.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/blang/semver"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "stackwright-gen-sdk"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk SCHEMA.json OUT-DIR")
		os.Exit(64)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: error: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, outDir string) error {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// Each generator reads its own language section into the bound package, so each gets its own.
	bind := func() (*schema.Package, error) {
		pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
		if err != nil {
			return nil, err
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: %s", schemaPath, diags.Error())
		}
		return pkg, nil
	}
	pyPkg, err := bind()
	if err != nil {
		return err
	}
	python, err := pygen.GeneratePackage(tool, pyPkg, nil, noPackages{})
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	goPkg, err := bind()
	if err != nil {
		return err
	}
	golang, err := gogen.GeneratePackage(tool, goPkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	if err := addGoModule(goPkg, golang); err != nil {
		return err
	}
	for language, files := range map[string]map[string][]byte{"python": python, "go": golang} {
		if err := writeTree(filepath.Join(outDir, language), files); err != nil {
			return err
		}
	}
	return nil
}

// addGoModule makes the Go SDK a module of its own, at the schema's importBasePath, requiring the
// Pulumi Go SDK this generator was built with (the pinned one). The generated files sit in a
// directory named after the package; the module is rooted there.
func addGoModule(pkg *schema.Package, files map[string][]byte) error {
	info, ok := pkg.Language["go"].(gogen.GoPackageInfo)
	if !ok || info.ImportBasePath == "" {
		return fmt.Errorf("go: the schema has no language.go.importBasePath")
	}
	version := ""
	if build, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range build.Deps {
			if dep.Path == "github.com/pulumi/pulumi/sdk/v3" {
				version = dep.Version
			}
		}
	}
	if version == "" {
		return fmt.Errorf("go: cannot tell which github.com/pulumi/pulumi/sdk/v3 this generator was built with")
	}
	files[filepath.Join(pkg.Name, "go.mod")] = []byte(fmt.Sprintf(
		"module %s\n\ngo 1.25\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n", info.ImportBasePath, version))
	return nil
}

// writeTree replaces dir with exactly files, built beside it and renamed into place, so a failed
// run never leaves half an SDK.
func writeTree(dir string, files map[string][]byte) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".gen-sdk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, content := range files {
		path := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// noPackages is the loader for a schema that refers to no other package: Stackwright's refers
// only to the built-in types (pulumi.json#/…), which need none.
type noPackages struct{}

func (noPackages) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema refers to package %q; gen-sdk loads no other packages", pkg)
}

func (l noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (l noPackages) LoadPackageReference(pkg string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(pkg, v)
	return nil, err
}

func (l noPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}
