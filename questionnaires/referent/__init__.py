"""The referent's side: the follow-up page a referent opens from their personal link."""
