"""Every official model name is importable from ``gumloop_nb.types`` / ``gumloop_nb.spec``."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel

import gumloop_nb.spec as spec
import gumloop_nb.types as types

# §10.6 / §10.7 names, checked even when the official package is not installed.
CONTRACT_TYPES = [
    "CreatorPayload",
    "Agent",
    "AgentResponse",
    "AgentListResponse",
    "AgentCreateRequest",
    "AgentUpdateRequest",
    "AgentSkillsResponse",
    "AgentMcpServerResponse",
    "AgentMcpServerDetachResponse",
    "AgentMcpServersResponse",
    "AgentVersionSummary",
    "AgentVersion",
    "AgentVersionComposition",
    "AgentVersionKnowledgeSource",
    "AgentVersionChanges",
    "AgentVersionFieldChange",
    "AgentVersionTextFieldChange",
    "AgentVersionTextHunk",
    "AgentVersionCollectionItemChange",
    "AgentVersionSkillChange",
    "AgentVersionKnowledgeSourceChange",
    "AgentVersionResponse",
    "AgentVersionsResponse",
    "AgentTool",
    "AgentMetadata",
    "AgentAbilities",
    "AgentAbilitiesUpdateRequest",
    "AgentAbilitiesResponse",
    "AgentIncognito",
    "KnowledgeScopeRule",
    "KnowledgeSourceScope",
    "AgentSubagentsResponse",
    "AgentDeleteResponse",
    "AgentAppRulesResponse",
    "ModelListResponse",
    "ModelRouteRequest",
    "ModelRouteResponse",
    "ModelRouteDecision",
    "ModelRouteCandidate",
    "Team",
    "TeamsResponse",
    "Organization",
    "OrganizationsResponse",
    "SessionCreateRequest",
    "SessionContinueRequest",
    "MessagePayload",
    "SessionUsage",
    "Session",
    "SessionResponse",
    "SessionListResponse",
    "StreamEvent",
    "SessionAttachment",
    "SessionFileResponse",
    "SessionApprovalsRequest",
    "SessionApprovalResponseItem",
    "SessionApprovalFormResponse",
    "SessionApprovalsResponse",
    "SessionApprovalResult",
    "SessionUpdateRequest",
    "SessionProvenance",
    "PendingApproval",
    "SessionMessageReceipt",
    "QueuedMessage",
    "SessionQueueResponse",
    "SessionQueuedMessageResponse",
    "Skill",
    "SkillListResponse",
    "SkillResponse",
    "SkillDeleteResponse",
    "SkillDownloadResponse",
    "Artifact",
    "ArtifactListResponse",
    "ArtifactDownloadResponse",
    "ArtifactVersion",
    "ArtifactVersionsResponse",
    "ArtifactDeletedResponse",
    "ArtifactNameResponse",
    "ArtifactPasswordResponse",
    "ItemAccess",
    "ItemAccessPerson",
    "ItemAccessTeam",
    "ItemAccessOrganization",
    "ItemAccessHiddenCounts",
    "ItemAccessResponse",
    "ItemAccessChangeResponse",
    "McpServer",
    "McpServersResponse",
    "McpServerResponse",
    "McpTool",
    "McpToolsResponse",
    "McpToolCallRequest",
    "McpToolCallResult",
    "McpExecuteResponse",
    "McpResource",
    "McpResourcesResponse",
    "McpResourceContent",
    "McpResourceReadResponse",
    "McpPromptArgument",
    "McpPrompt",
    "McpPromptsResponse",
    "McpPromptMessage",
    "McpPromptResponse",
    "McpServerAccount",
    "McpServerAccountsResponse",
    "BrainSearchRequest",
    "BrainSearchResult",
    "BrainSearchResponse",
    "EvaluationConfig",
    "EvaluationConfigResponse",
    "EvaluationConfigUpdateRequest",
    "EvaluationResult",
    "EvaluationResultResponse",
    "EvaluationResultListResponse",
    "EvaluationOptionLimits",
    "AgentEvaluationOptionsResponse",
    "AgentEvaluationMetricsResponse",
    "EvaluationRunRequest",
    "EvaluationRunResponse",
    "EvaluationRunResult",
    "EvaluationRunSkippedSession",
    "Evaluation",
    "EvaluationRubric",
    "EvaluationTarget",
    "EvaluationResponse",
    "EvaluationListResponse",
    "EvaluationCreateRequest",
    "EvaluationUpdateRequest",
    "EvaluationTargetsResponse",
    "EvaluationResultRecord",
    "EvaluationMetricsResponse",
    "EvaluationOptionsResponse",
    "WikiCardType",
    "WikiQueryRequest",
    "WikiSource",
    "WikiFact",
    "WikiLinkedUser",
    "WikiCard",
    "WikiQueryResponse",
    "VoiceSessionCreateRequest",
    "VoiceSessionStarted",
    "VoiceSessionEndResponse",
    "CliSyncOrganization",
    "CliSyncManifest",
    "CliSyncLimits",
    "CliSyncPlanResponse",
    "CliSyncBundleSkill",
    "CliSyncBundleManifest",
]

CONTRACT_SPEC = [
    "ChatRequest",
    "ChatResult",
    "ChatMessages",
    "ChatFunctionTool",
    "ChatToolChoice",
    "ChatFinishReasonEnum",
    "ChatFormatJSONSchemaConfig",
    "ChatFormatTextConfig",
    "ChatJSONSchemaConfig",
    "FormatJSONObjectConfig",
    "ImageConfig",
    "ProviderPreferences",
    "ResponseHealingPlugin",
    "WebSearchPlugin",
    "ChatStreamChunk",
    "ChatStreamDelta",
    "ChatUsage",
    "TraceConfig",
    "DecisionsRequest",
    "DecisionsResponse",
]


@pytest.mark.parametrize("name", CONTRACT_TYPES)
def test_contract_type_name_is_exported(name):
    assert name in types.__all__
    assert getattr(types, name) is not None


@pytest.mark.parametrize("name", CONTRACT_SPEC)
def test_contract_spec_name_is_exported(name):
    assert name in spec.__all__
    assert getattr(spec, name) is not None


def test_all_lists_exactly_the_public_names_that_exist():
    for module in (types, spec):
        assert len(set(module.__all__)) == len(module.__all__), "duplicates in __all__"
        # dir(), not vars(): gumloop_nb.types loads its submodules on first use of a name.
        exported = {
            n
            for n in dir(module)
            if not n.startswith("_")
            and n != "annotations"
            and not inspect.ismodule(getattr(module, n))
        }
        assert exported == set(module.__all__)


def test_chat_models_are_reexported_from_types_as_the_same_objects():
    for name in ("ChatRequest", "ChatResult", "ChatStreamChunk", "ChatStreamDelta", "ChatUsage"):
        assert getattr(types, name) is getattr(spec, name)


def _official_model_names(module) -> set[str]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return set(names)
    return {
        n
        for n in dir(module)
        if not n.startswith("_")
        and (
            (
                inspect.isclass(getattr(module, n))
                and getattr(module, n).__module__ == module.__name__
            )
            or n.isupper()
        )
    }


def test_every_official_types_name_exists_with_its_fields():
    official = pytest.importorskip("gumloop.types")
    for name in _official_model_names(official):
        assert hasattr(types, name), f"gumloop_nb.types lacks {name}"
        theirs, ours = getattr(official, name), getattr(types, name)
        if inspect.isclass(theirs) and issubclass(theirs, BaseModel):
            missing = set(theirs.model_fields) - set(ours.model_fields)
            assert not missing, f"{name} lacks fields {missing}"


def test_every_official_spec_name_exists():
    official = pytest.importorskip("gumloop.spec")
    names = set(getattr(official, "__all__", None) or [n for n in dir(official) if n[0].isupper()])
    assert names <= set(spec.__all__), names - set(spec.__all__)
