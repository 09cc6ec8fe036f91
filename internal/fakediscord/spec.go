package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// specFile is Discord's OpenAPI description (discord/discord-api-spec), looked up beside the
// module root as ../shared/specs/discord-openapi.json.
const specFile = "discord-openapi.json"

// specOperations maps the routes whose JSON bodies are checked to the spec's path and method.
var specOperations = map[string][2]string{
	RouteCreateMessage:               {"/channels/{channel_id}/messages", "post"},
	RouteBulkOverwriteGlobalCommands: {"/applications/{application_id}/commands", "put"},
	RouteBulkOverwriteGuildCommands:  {"/applications/{application_id}/guilds/{guild_id}/commands", "put"},
	RouteInteractionCallback:         {"/interactions/{interaction_id}/{interaction_token}/callback", "post"},
	RouteFollowup:                    {"/webhooks/{webhook_id}/{webhook_token}", "post"},
	RouteEditOriginal:                {"/webhooks/{webhook_id}/{webhook_token}/messages/@original", "patch"},
	RouteEditFollowup:                {"/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", "patch"},
}

// spec holds the compiled request-body schemas, by route.
type spec struct {
	schemas map[string]*jsonschema.Schema
}

// loadSpec returns the compiled spec, compiling it on first use: the description is 1.2 MB and
// many fakes run in one test binary. The result never changes once made.
var loadSpec = sync.OnceValues(compileSpec)

// compileSpec finds and compiles the spec; an error says why bodies will not be checked.
func compileSpec() (*spec, error) {
	path, err := findSpec()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	const base = "file:///discord-openapi.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(base, doc); err != nil {
		return nil, err
	}
	sp := &spec{schemas: map[string]*jsonschema.Schema{}}
	for route, op := range specOperations {
		loc := base + "#/paths/" + pointerEscape(op[0]) + "/" + op[1] + "/requestBody/content/application~1json/schema"
		sch, err := c.Compile(loc)
		if err != nil {
			return nil, fmt.Errorf("compile the body schema of %s: %w", route, err)
		}
		sp.schemas[route] = sch
	}
	return sp, nil
}

// findSpec walks up from the working directory to the module root (go.mod) and looks beside it.
func findSpec() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			path := filepath.Join(dir, "..", "shared", "specs", specFile)
			if _, err := os.Stat(path); err != nil {
				return "", fmt.Errorf("%s not found beside the module root", filepath.Join("..", "shared", "specs", specFile))
			}
			return path, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// validate returns how body breaks the route's schema, "" when it does not or when the route (or
// the whole spec) is not checked.
func (sp *spec) validate(route string, body []byte) string {
	if sp == nil {
		return ""
	}
	sch := sp.schemas[route]
	if sch == nil {
		return ""
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "not JSON: " + err.Error()
	}
	normalize(inst)
	if err := sch.Validate(inst); err != nil {
		return err.Error()
	}
	return ""
}

// normalize smooths the one known difference between Discord's documentation and its OpenAPI
// description: permission bit sets are documented (and sent by discordgo) as strings of digits,
// while the description types default_member_permissions as an integer. Discord accepts both.
func normalize(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "default_member_permissions" {
				if _, err := strconv.ParseUint(s, 10, 64); err == nil {
					v[k] = json.Number(s)
				}
				continue
			}
			normalize(x)
		}
	case []any:
		for _, x := range v {
			normalize(x)
		}
	}
}
