"""Follow-up and third-party review (DESIGN sections 4, 6, 7): voice follow-up, evaluators, spot checks."""
