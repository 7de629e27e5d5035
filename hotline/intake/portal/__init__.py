"""The citizen portal at ``/portal/`` (DESIGN sections 6, 9 and 10): submit a request, look a
ticket up with its number and a one-time code, rate the result from a signed link."""
