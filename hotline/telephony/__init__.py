"""Call records from the telephony system and answer rates (DESIGN sections 6, 9: /api/v1/calls)."""
