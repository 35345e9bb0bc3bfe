"""statemachines/resources.json: the one map from ASL placeholders to resources, read here and by
Terraform. ARNs are built from names, as Terraform builds them (no Step Functions <-> Lambda cycle)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
STATEMACHINES = ROOT / "statemachines"
_PLACEHOLDER = re.compile(r"\$\{([a-z0-9_]+)\}")


@dataclass(frozen=True)
class Resources:
    region: str = "us-east-1"
    account: str = "123456789012"
    prefix: str = ""  # e.g. "dev-": prepended to every name, as Terraform's name prefix is

    @property
    def spec(self) -> dict[str, Any]:
        return json.loads((STATEMACHINES / "resources.json").read_text())

    def name(self, name: str) -> str:
        return self.prefix + name

    def function_names(self) -> dict[str, str]:
        """Function name -> handler path, step Lambdas and agent action groups alike."""
        functions = [*self.spec["functions"].values(), *self.spec["agent_functions"].values()]
        return {self.name(f["name"]): f["handler"] for f in functions}

    def agent_function(self, group: str) -> str:
        return self.name(self.spec["agent_functions"][group]["name"])

    @property
    def table_name(self) -> str:
        return self.name(self.spec["tables"]["sessions"]["name"])

    def key_alias(self, key: str) -> str:
        """The KMS alias of a key in the map (`alias/<prefix><name>`), which the functions are given."""
        return "alias/" + self.name(self.spec["keys"][key]["name"])

    @property
    def mock_state_table_name(self) -> str:
        return self.name(self.spec["tables"]["mock_pf360"]["name"])

    @property
    def idempotency_table_name(self) -> str:
        return self.name(self.spec["tables"]["idempotency"]["name"])

    @property
    def state_machine_name(self) -> str:
        return self.name(self.spec["state_machine"]["name"])

    def function_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.name(name)}"

    def placeholders(self) -> dict[str, str]:
        values = {
            f"{key}_function_arn": self.function_arn(f["name"]) for key, f in self.spec["functions"].items()
        }
        values["sessions_table_arn"] = (
            f"arn:aws:dynamodb:{self.region}:{self.account}:table/{self.table_name}"
        )
        return values

    def definition(self) -> str:
        """The ASL with every placeholder filled; an unknown or unfilled placeholder is an error."""
        text = (STATEMACHINES / self.spec["state_machine"]["definition"]).read_text()
        values = self.placeholders()
        missing = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
        if missing:
            raise KeyError(f"ASL placeholders with no resource: {missing}")
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
