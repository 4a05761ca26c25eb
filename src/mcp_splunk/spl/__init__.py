"""SPL syntax: comments, macro calls, tokens and the command pipeline, with no knowledge of what commands do.

Pure and dependency-free, so both the sandbox engine and the gateway's security policy can rely on it to see
every command of a query, subsearches included.
"""

from __future__ import annotations

from mcp_splunk.spl.errors import SplSyntaxError
from mcp_splunk.spl.lexer import OP, STRING, SUBSEARCH, WORD, Token, strip_comments, tokenize
from mcp_splunk.spl.macros import MacroCall, find_macro_calls
from mcp_splunk.spl.pipeline import CommandSyntax, PipelineSyntax, parse_pipeline

__all__ = [
    "OP",
    "STRING",
    "SUBSEARCH",
    "WORD",
    "CommandSyntax",
    "MacroCall",
    "PipelineSyntax",
    "SplSyntaxError",
    "Token",
    "find_macro_calls",
    "parse_pipeline",
    "strip_comments",
    "tokenize",
]
