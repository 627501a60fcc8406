"""Following the API's cursors."""

from __future__ import annotations

from fastapi.testclient import TestClient


def walk(client: TestClient, path: str, params: dict, limit: int,
         headers: dict | None = None) -> list[dict]:
    """Every item of a paged list, following next_cursor."""
    items, cursor, pages = [], None, 0
    while True:
        response = client.get(path, params={**params, "limit": limit,
                                            **({"cursor": cursor} if cursor else {})},
                              headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return items
        assert page["next_cursor"] and len(page["items"]) == limit
        cursor = page["next_cursor"]
        assert pages < 1000
