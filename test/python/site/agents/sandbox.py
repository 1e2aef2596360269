"""`SandboxAgent`: an Agent run by the normal Runner."""
from .agent import Agent


class SandboxAgent(Agent):
    pass
