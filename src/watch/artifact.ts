// The workflow artifact a repair leaves: the session's recording and the transcript (JSON lines and markdown), as one
// artifact a person downloads from the run (and `ci-medic report` turns into one HTML page).
import { existsSync } from 'node:fs';
import { basename } from 'node:path';

export interface ArtifactFiles {
  /** Artifact name, unique within the workflow run (the session name is). */
  name: string;
  files: string[];
  /** The directory the files' paths inside the artifact are relative to. */
  rootDirectory: string;
}

/** The part of @actions/artifact's client used here (the entry passes the real one). */
export interface ArtifactUploader {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number },
  ): Promise<{ id?: number; size?: number }>;
}

export type UploadOutcome = { ok: true; id: number; url: string; files: string[] } | { ok: false; reason: string };

/** Artifact names may not hold these (the service refuses them). */
const BAD_NAME_CHARS = /["":<>|*?\r\n\\/]/g;

export function artifactName(sessionName: string): string {
  return `ci-medic-${sessionName}`.replace(BAD_NAME_CHARS, '-');
}

/** Upload what exists of `files`; never throws: a failed upload is an outcome the caller warns about. */
export async function uploadRepairArtifact(
  uploader: ArtifactUploader,
  artifact: ArtifactFiles,
  run: { serverUrl: string; repository: string; runId: string },
): Promise<UploadOutcome> {
  const files = artifact.files.filter((f) => existsSync(f));
  if (files.length === 0)
    return { ok: false, reason: 'there was nothing to upload (no recording or transcript was written)' };
  try {
    const { id } = await uploader.uploadArtifact(artifact.name, files, artifact.rootDirectory);
    if (!id) return { ok: false, reason: 'the artifact service returned no artifact id' };
    const url = `${run.serverUrl.replace(/\/$/, '')}/${run.repository}/actions/runs/${run.runId}/artifacts/${id}`;
    return { ok: true, id, url, files: files.map((f) => basename(f)) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
