"""Citizen channels (DESIGN section 6): portal, WeChat, Open311, imports."""
