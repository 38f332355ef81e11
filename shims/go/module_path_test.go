package commitcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ModulePath is what `go get` fetches and programs import; the README and docs/clients.md name it.
const ModulePath = "github.com/commitcheck/commitcheck/shims/go"

// TestAProgramImportsTheModuleByItsPath builds a separate module that imports the shim by its
// module path, as a program that ran `go get` does (a replace directive points the path at this
// folder, since the machines building this have no network), and runs it.
func TestAProgramImportsTheModuleByItsPath(t *testing.T) {
	goMod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(goMod), "module "+ModulePath+"\n") {
		t.Fatalf("go.mod names another module:\n%s", goMod)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	here, _ := filepath.Abs(".")
	app := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/app\n\ngo 1.19\n\nrequire " + ModulePath + " v0.0.0\n\nreplace " + ModulePath + " => " + here + "\n",
		"main.go": `package main

import (
	"fmt"
	"os"

	commitcheck "` + ModulePath + `"
)

func main() {
	rec, err := commitcheck.NewFileRecorder(os.Args[1], "app")
	if err != nil {
		panic(err)
	}
	txn := rec.BeginTxn("main", "app-txn")
	_ = txn.AddOffsets("g", map[string]int64{commitcheck.Key("in", 0): 4}, func() error { return nil })
	_ = txn.Commit(true, func() error { return nil })
	fmt.Println(txn.ID(), rec.Close())
}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(app, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trace := filepath.Join(app, "trace.jsonl")
	run := exec.Command(goTool, "run", ".", trace)
	run.Dir = app
	run.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off")
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "app-txn@app#") || !strings.HasSuffix(strings.TrimSpace(string(out)), "<nil>") {
		t.Fatalf("the program printed %q", out)
	}
	got := summary(readTrace(t, trace))
	if len(got) != 5 || !strings.HasPrefix(got[0], "build offsets=map[in/0:4] txn=app-txn@app#") || !strings.HasSuffix(got[4], "status=ok") {
		t.Fatalf("the program's trace: %v", got)
	}
}
