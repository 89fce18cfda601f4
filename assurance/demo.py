def build(options: dict) -> str:
    return ""
