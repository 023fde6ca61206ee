"""Images a writer uploads or an import brings in: checked, stripped of their metadata, resized.

An app of its own at the bottom of the layers, beside ``markup``: the blog (the writer's desk, a post's
featured image and its body) and porting (``pnyx import --media``) both store images through the one
path here, ``images.image_create``, so an imported file passes the same checks as an uploaded one; and it
knows nothing of posts, so neither of them has to be imported to use it.
"""
