//go:build ignore

// zones_gen writes zones.txt, the IANA time zone names that time zones are resolved against and
// suggested from, out of the zoneinfo.zip of the Go toolchain that runs it (all but Factory, the
// placeholder zone of machines whose zone is not set yet):
//
//	go generate ./config
package main

import (
	"archive/zip"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

func main() {
	zr, err := zip.OpenReader(filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip"))
	if err != nil {
		log.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") && f.Name != "Factory" {
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	if err := os.WriteFile("zones.txt", []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
}
