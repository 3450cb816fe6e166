package main

import (
	"os"
	"testing"

	"github.com/assessbot/assessbot/internal/framework"
)

func mustCatalog(t *testing.T) *framework.Catalog {
	t.Helper()
	cat, err := loadCatalog("")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }
