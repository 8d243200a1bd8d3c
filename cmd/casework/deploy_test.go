package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestDeployManifests reads every Kubernetes manifest in deploy/k8s and
// checks it against the binary, so the manifests cannot rot: each
// container runs a command casework has, with flags it defines; each
// environment variable it sets (directly, or through the ConfigMap and the
// example Secret) is one the binary reads and the README documents; each
// probe asks a path the API serves; and the kustomization lists files that
// exist.
func TestDeployManifests(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy", "k8s")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)

	source := goSource(t, filepath.Join("..", ".."))
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	apiSource, err := os.ReadFile(filepath.Join("..", "..", "api", "api.go"))
	require.NoError(t, err)
	served := map[string]bool{}
	for _, m := range regexp.MustCompile(`mux\.HandleFunc\("GET (/[a-z]+)"`).FindAllSubmatch(apiSource, -1) {
		served[string(m[1])] = true
	}
	commands := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  casework (\w+)`).FindAllStringSubmatch(usage, -1) {
		commands[m[1]] = true
	}

	checkEnv := func(where, name string) {
		t.Helper()
		require.True(t, bytes.Contains(source, []byte(`"`+name+`"`)), "%s sets %s, which casework never reads", where, name)
		require.True(t, bytes.Contains(readme, []byte("`"+name+"`")), "%s sets %s, which README.md does not document", where, name)
	}
	var containers, probes int
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else {
				require.NoError(t, err, f)
			}
			if doc == nil {
				continue
			}
			where := filepath.Base(f) + " " + str(doc["kind"])
			switch str(doc["kind"]) {
			case "ConfigMap":
				for k := range mapOf(doc["data"]) {
					checkEnv(where, k)
				}
			case "Secret":
				for k := range mapOf(doc["stringData"]) {
					checkEnv(where, k)
				}
			case "Kustomization":
				for _, r := range listOf(doc["resources"]) {
					name := str(r)
					if name == "secret.yaml" { // made from secret.example.yaml
						name = "secret.example.yaml"
					}
					_, err := os.Stat(filepath.Join(dir, name))
					require.NoError(t, err, "the kustomization lists %s", r)
				}
			}
			walk(doc, func(c map[string]any) {
				containers++
				args := listOf(c["args"])
				require.NotEmpty(t, args, "%s: a casework container names its command", where)
				require.True(t, commands[str(args[0])], "%s runs `casework %s`, which is no command of casework", where, args[0])
				for _, a := range args[1:] {
					if s := str(a); strings.HasPrefix(s, "-") {
						flag := strings.TrimLeft(strings.SplitN(s, "=", 2)[0], "-")
						require.True(t, bytes.Contains(source, []byte(`"`+flag+`"`)), "%s passes -%s, a flag casework does not define", where, flag)
					}
				}
				for _, e := range listOf(c["env"]) {
					checkEnv(where, str(mapOf(e)["name"]))
				}
				for _, p := range []string{"readinessProbe", "livenessProbe"} {
					if probe := mapOf(c[p]); probe != nil {
						probes++
						path := str(mapOf(probe["httpGet"])["path"])
						require.True(t, served[path], "%s: %s asks %s, which the API does not serve", where, p, path)
					}
				}
				if probe := mapOf(c["readinessProbe"]); probe != nil {
					require.Equal(t, "/readyz", str(mapOf(probe["httpGet"])["path"]), "%s: readiness says whether PostgreSQL and Temporal answer", where)
				}
			})
		}
	}
	require.GreaterOrEqual(t, containers, 4, "the API, the worker, the migration and the anchor job")
	require.GreaterOrEqual(t, probes, 2)
}

// walk calls f for every container of a casework image in doc.
func walk(v any, f func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "containers" {
				for _, c := range listOf(x) {
					if m := mapOf(c); strings.HasPrefix(str(m["image"]), "casework") {
						f(m)
					}
				}
				continue
			}
			walk(x, f)
		}
	case []any:
		for _, x := range v {
			walk(x, f)
		}
	}
}

// goSource is every non-test Go file of the module, concatenated, for
// looking up the string literals the binary reads.
func goSource(t *testing.T, root string) []byte {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || slices.Contains([]string{"e2e", "bench", "faults", "node_modules"}, d.Name())) {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out.Write(b)
		}
		return nil
	}))
	return out.Bytes()
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}
