package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

var environments = []string{"dev", "staging", "prod"}

const maxProgramStacks = 10

// profile is what differs between environments unless a stack file overrides it.
type profile struct {
	ProgramStackCount int
	DatabaseSize      int
	DestroyOnFinalize bool
}

var profiles = map[string]profile{
	"dev":     {ProgramStackCount: 1, DatabaseSize: 10, DestroyOnFinalize: true},
	"staging": {ProgramStackCount: 2, DatabaseSize: 20, DestroyOnFinalize: true},
	// Never let deleting a Stack object destroy production resources.
	"prod": {ProgramStackCount: 3, DatabaseSize: 100, DestroyOnFinalize: false},
}

// platformSettings is this stack's configuration, resolved and checked.
type platformSettings struct {
	profile
	Environment         string
	Namespace           string
	Backend             string
	ComponentSchemaPath string
	ComponentToken      string
	DatabasePassword    pulumi.StringOutput
	AwsSecretAccessKey  pulumi.StringOutput
}

// loadSettings resolves the hierarchy — project defaults (Pulumi.yaml), then the environment's
// profile, then the stack file (Pulumi.<stack>.yaml) — and reports every problem at once, each
// naming the key and the command that fixes it. Production is refused until it is confirmed.
func loadSettings(ctx *pulumi.Context) (*platformSettings, error) {
	cfg := config.New(ctx, "platform")
	stackName := ctx.Stack()
	var problems []string
	required := func(key, example string) string {
		value := cfg.Get(key)
		if strings.TrimSpace(value) == "" {
			problems = append(problems, fmt.Sprintf(
				"platform:%s: is required; set it with: pulumi config set platform:%s %s", key, key, example))
		}
		return value
	}
	requiredSecret := func(key string) pulumi.StringOutput {
		if _, present := ctx.GetConfig("platform:" + key); !present {
			problems = append(problems, fmt.Sprintf(
				"platform:%s: is required; set it, encrypted, with: pulumi config set --secret platform:%s (value on standard input)",
				key, key))
		}
		return cfg.GetSecret(key)
	}

	environment := required("environment", "<dev|staging|prod>")
	_, known := profiles[environment]
	if environment != "" && !known {
		problems = append(problems, fmt.Sprintf(
			"platform:environment: unknown environment '%s'; set it to one of %s", environment, strings.Join(environments, ", ")))
	}
	if known && environment != stackName {
		problems = append(problems, fmt.Sprintf(
			"platform:environment: is '%s' but the selected stack is '%s'; select the stack you mean: pulumi stack select %s",
			environment, stackName, environment))
	}
	chosen := profiles["dev"]
	if known {
		chosen = profiles[environment]
	}
	namespace := required("namespace", "orders-"+stackName)
	backend := required("backend", "s3://<state-bucket>")
	if text := cfg.Get("programStackCount"); text != "" {
		count, err := strconv.Atoi(text)
		if err != nil || count < 1 || count > maxProgramStacks {
			problems = append(problems, fmt.Sprintf(
				"platform:programStackCount: must be a whole number from 1 to %d, got '%s'", maxProgramStacks, text))
		} else {
			chosen.ProgramStackCount = count
		}
	}
	databasePassword := requiredSecret("databasePassword")
	awsSecretAccessKey := requiredSecret("awsSecretAccessKey")
	if environment == "prod" && cfg.Get("confirmProduction") != "true" {
		problems = append(problems,
			"platform:confirmProduction: prod is refused until you confirm it: pulumi config set platform:confirmProduction true --stack prod")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid stack configuration:\n%s", strings.Join(problems, "\n"))
	}
	return &platformSettings{
		profile:             chosen,
		Environment:         environment,
		Namespace:           namespace,
		Backend:             backend,
		ComponentSchemaPath: cfg.Require("componentSchemaPath"),
		ComponentToken:      cfg.Require("componentToken"),
		DatabasePassword:    databasePassword,
		AwsSecretAccessKey:  awsSecretAccessKey,
	}, nil
}
