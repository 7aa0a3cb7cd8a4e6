"""The media pipeline: images (resized, WebP + fallback, content-hashed, cached), icons and share cards,
and the data of the media blocks (video facades, images, author, logos)."""
