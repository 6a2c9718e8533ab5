# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh (needs its sw_* helpers and the engine on PATH); its
# sw_ensure_kubernetes runs for the commands that deploy to Kubernetes. Provides
#   - pulumi-resource-kubernetes, the Kubernetes provider plugin, installed into $PULUMI_HOME;
#   - kube-apiserver, kube-controller-manager, kubectl and etcd, for a local cluster on 127.0.0.1
#     ($STACKWRIGHT_KUBE_BIN; kubectl also on PATH).
# Each is built once with `go build` from the Go module proxy (versions in versions.json, every
# module hash pinned by the go.sum files under parts/) into a temporary directory that is moved
# into place only when every step succeeded, so a failed build never leaves a cache a later run
# trusts.

# The provider's own module pins its SDK through a `replace … => ../sdk` that only works inside
# its repository; parts/kubernetes-provider/go.mod is that go.mod with the SDK required at the
# release instead. So the build copies the module's source out of the module cache, puts the
# pinned go.mod and go.sum beside it, runs the provider's generate step (which writes the schema
# files main.go embeds, stamped with the version) and builds.
sw_build_kubernetes_provider() {
	local target="$1" version="$2" module="$3" module_version="$4" tmp dir
	tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.kubernetes-provider-build.XXXXXX")"
	sw_build_log="$tmp/build.log"
	sw_say "kubernetes: first build of the Kubernetes provider v$version into $target (about 10 minutes on 2 cores)"
	if ! dir="$(cd "$tmp" && go mod download -json "$module@$module_version" | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).Dir')" ||
		[ ! -d "$dir/cmd/pulumi-resource-kubernetes" ]; then
		rm -rf "$tmp"
		sw_fail "step 'download $module@$module_version': the Go module proxy did not serve it"
		return 1
	fi
	cp -R "$dir" "$tmp/src" && chmod -R u+w "$tmp/src" &&
		cp "$sw_root/parts/kubernetes-provider/go.mod" "$sw_root/parts/kubernetes-provider/go.sum" "$tmp/src/" ||
		{ rm -rf "$tmp"; sw_fail "step 'copy the provider source' failed"; return 1; }
	if ! sw_build_step "Kubernetes provider schema (generate, v$version)" \
		env -C "$tmp/src/cmd/pulumi-resource-kubernetes" VERSION="$version" go run ./generate.go ||
		! sw_build_step "pulumi-resource-kubernetes v$version" \
			go build -C "$tmp/src" -trimpath -o "$tmp/bin/pulumi-resource-kubernetes" \
			-ldflags "-X $module/pkg/version.Version=$version" ./cmd/pulumi-resource-kubernetes; then
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$tmp/src" "$tmp/build.log"
	touch "$tmp/.complete"
	rm -rf "$target"
	mv "$tmp" "$target"
}

sw_ensure_kubernetes_provider() {
	local version module_version target plugin_dir
	version="$(sw_pin kubernetes)" || return 1
	module_version="$(sw_pin kubernetesProviderModule)" || return 1
	target="$STACKWRIGHT_CACHE/kubernetes-provider-$version"
	if [ ! -f "$target/.complete" ]; then
		command -v go >/dev/null || { sw_fail "no Go toolchain to build the Kubernetes provider: install Go >= 1.25"; return 1; }
		sw_build_kubernetes_provider "$target" "$version" github.com/pulumi/pulumi-kubernetes/provider/v4 "$module_version" ||
			return 1
	fi
	# The engine finds plugins only in PULUMI_HOME; the install is what a user would do offline.
	plugin_dir="$PULUMI_HOME/plugins/resource-kubernetes-v$version"
	if [ ! -x "$plugin_dir/pulumi-resource-kubernetes" ] || [ -e "$plugin_dir.partial" ]; then
		sw_say "kubernetes: installing the provider plugin v$version into $PULUMI_HOME"
		pulumi plugin install resource kubernetes "$version" --file "$target/bin/pulumi-resource-kubernetes" >/dev/null ||
			{ sw_fail "step 'pulumi plugin install resource kubernetes $version' failed"; return 1; }
	fi
}

# kube-apiserver, kube-controller-manager and kubectl come from k8s.io/kubernetes through the tools
# module parts/kubernetes, which replaces each staging module with its published release; etcd
# from parts/etcd. The version is stamped as Kubernetes' own release build does: unstamped, the
# API server calls itself v0.0.0-master.
sw_build_cluster() {
	local target="$1" kube="$2" etcd="$3" tmp minor stamp
	tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.kubernetes-cluster-build.XXXXXX")"
	sw_build_log="$tmp/build.log"
	sw_say "kubernetes: first build of Kubernetes v$kube and etcd v$etcd into $target (about 10 minutes on 2 cores)"
	minor="${kube#*.}"
	minor="${minor%%.*}"
	stamp=""
	local pkg
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		stamp+=" -X $pkg.gitVersion=v$kube -X $pkg.gitMajor=${kube%%.*} -X $pkg.gitMinor=$minor"
		stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
	done
	local cmd
	for cmd in kube-apiserver kube-controller-manager kubectl; do
		if ! sw_build_step "$cmd v$kube" go build -C "$sw_root/parts/kubernetes" -trimpath \
			-o "$tmp/bin/$cmd" -ldflags "$stamp" "k8s.io/kubernetes/cmd/$cmd"; then
			rm -rf "$tmp"
			return 1
		fi
	done
	if ! sw_build_step "etcd v$etcd" go build -C "$sw_root/parts/etcd" -trimpath -o "$tmp/bin/etcd" .; then
		rm -rf "$tmp"
		return 1
	fi
	rm -f "$tmp/build.log"
	touch "$tmp/.complete"
	rm -rf "$target"
	mv "$tmp" "$target"
}

sw_ensure_cluster() {
	local kube etcd target
	kube="$(sw_pin kubernetesCluster)" || return 1
	etcd="$(sw_pin etcd)" || return 1
	target="$STACKWRIGHT_CACHE/kubernetes-$kube+etcd-$etcd"
	if [ ! -f "$target/.complete" ]; then
		command -v go >/dev/null || { sw_fail "no Go toolchain to build the local Kubernetes cluster: install Go >= 1.25"; return 1; }
		sw_build_cluster "$target" "$kube" "$etcd" || return 1
	fi
	export STACKWRIGHT_KUBE_BIN="$target/bin"
	export PATH="$PATH:$target/bin"
}

sw_ensure_kubernetes() {
	sw_ensure_kubernetes_provider && sw_ensure_cluster
}
