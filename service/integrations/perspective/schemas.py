"""The messages of the Perspective-compatible API, as Google's discovery documents describe
them: the discovery document serves them (``discovery``), and the request bodies are
checked against them (``payload``: an unknown field is Google's 400). Pure data, no I/O."""

from __future__ import annotations

from typing import Any


def _obj(schema_id: str, description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    """Return a message: its fields are ``properties``, under their JSON names."""
    return {"id": schema_id, "type": "object", "description": description, "properties": properties}


def _str(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _bool(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": name}


def _map_of(name: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"$ref": name}}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


SCHEMAS: dict[str, dict[str, Any]] = {
    "TextEntry": _obj(
        "TextEntry",
        "A piece of text: the comment, or a piece of its context.",
        text=_str("The text (at most 20 KB)."),
        type=_str("PLAIN_TEXT (HTML is read as plain text)."),
    ),
    "Context": _obj(
        "Context",
        "Accepted for compatibility; the scores do not use it (nor is it checked).",
        entries=_list_of(ref("TextEntry")),
        articleAndParentComment=ref("ArticleAndParentComment"),
    ),
    "ArticleAndParentComment": _obj(
        "ArticleAndParentComment",
        "Accepted for compatibility; the scores do not use it.",
        article=ref("TextEntry"),
        parentComment=ref("TextEntry"),
    ),
    "AttributeParameters": _obj(
        "AttributeParameters",
        "Options for one requested attribute.",
        scoreType=_str("PROBABILITY (the only type served)."),
        scoreThreshold={"type": "number", "format": "float", "description": "Omit below."},
    ),
    "AnalyzeCommentRequest": _obj(
        "AnalyzeCommentRequest",
        "A comment to score. Another field is a 400 INVALID_ARGUMENT naming it, as Google's "
        "(each field may also be sent under its proto name: `requested_attributes`).",
        comment=ref("TextEntry"),
        context=ref("Context"),
        requestedAttributes=_map_of("AttributeParameters"),
        languages=_list_of({"type": "string"}),
        doNotStore=_bool("Keep nothing (the default unless the site opted in)."),
        clientToken=_str("Echoed in the response."),
        sessionId=_str("Accepted, not used."),
        communityId=_str("Accepted, not used."),
        spanAnnotations=_bool("Score each sentence too."),
        dropUnsupportedAttributes=_bool("Drop unknown attributes instead of an error."),
    ),
    "Score": _obj(
        "Score",
        "A score and its type.",
        value={"type": "number", "format": "float"},
        type=_str("PROBABILITY."),
    ),
    "SpanScore": _obj(
        "SpanScore",
        "The score of one sentence.",
        begin={"type": "integer", "format": "int32"},
        end={"type": "integer", "format": "int32"},
        score=ref("Score"),
    ),
    "AttributeScores": _obj(
        "AttributeScores",
        "The scores of one attribute.",
        summaryScore=ref("Score"),
        spanScores=_list_of(ref("SpanScore")),
    ),
    "AnalyzeCommentResponse": _obj(
        "AnalyzeCommentResponse",
        "The scores of the requested attributes (TOXICITY, SPAM).",
        attributeScores=_map_of("AttributeScores"),
        languages=_list_of({"type": "string"}),
        detectedLanguages=_list_of({"type": "string"}),
        clientToken=_str("The request's clientToken."),
    ),
    "SuggestCommentScoreRequest": _obj(
        "SuggestCommentScoreRequest",
        "A score a moderator suggests; a label when the site keeps training data. Another "
        "field is a 400 INVALID_ARGUMENT naming it, as Google's.",
        comment=ref("TextEntry"),
        context=ref("Context"),
        attributeScores=_map_of("AttributeScores"),
        languages=_list_of({"type": "string"}),
        communityId=_str("Accepted, not used."),
        clientToken=_str("Echoed in the response."),
        sessionId=_str("Accepted, not used."),
    ),
    "SuggestCommentScoreResponse": _obj(
        "SuggestCommentScoreResponse",
        "The answer to a suggestion.",
        detectedLanguages=_list_of({"type": "string"}),
        requestedLanguages=_list_of({"type": "string"}),
        clientToken=_str("The request's clientToken."),
    ),
}
