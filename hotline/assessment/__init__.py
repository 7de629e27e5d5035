"""Assessment (DESIGN section 7): monthly metrics, scores, rankings, publishing, exports."""
