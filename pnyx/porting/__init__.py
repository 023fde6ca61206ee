"""Moving a blog in (WordPress WXR, Disqus, Isso) and out again (WXR), keeping every comment and old link."""
