import { type Asset, useUploadAsset } from '../api/content';
import { ErrorAlert } from '../components/ErrorAlert';

/** A file input that uploads at once and shows the stored image's thumbnail (or the file's name). */
export function AssetUpload(props: { onUploaded?: (asset: Asset) => void; asset?: Asset | null }) {
  const upload = useUploadAsset();
  const shown = upload.data ?? props.asset ?? null;
  return (
    <div className="asset-upload">
      <label htmlFor="asset-file">Upload a file (image, video or PDF)</label>
      <input
        id="asset-file"
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp,video/mp4,video/webm,application/pdf"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) upload.mutate(file, { onSuccess: (asset) => props.onUploaded?.(asset) });
        }}
      />
      {upload.isPending && <p>Uploading…</p>}
      <ErrorAlert error={upload.error} />
      {shown && (
        <figure data-testid="asset-preview">
          {shown.thumbnailUrl ? (
            <img className="asset-preview" src={`/p/assets/${shown.id}/thumbnail`} alt={shown.filename} />
          ) : null}
          <figcaption>
            {shown.filename} · {shown.contentType} · {Math.round(shown.size / 1024)} KB
            {shown.width ? ` · ${shown.width}×${shown.height}` : ''}
          </figcaption>
        </figure>
      )}
    </div>
  );
}
