"""Benefits realisation evidence, report jobs and downloads."""
