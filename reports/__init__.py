"""Benefits realisation evidence, report jobs and downloads (issue 8/9)."""
