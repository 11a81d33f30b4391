import DownloadIcon from '@mui/icons-material/Download';
import { Button, useListContext, useResourceContext } from 'react-admin';

/**
 * Downloads the server's .xlsx of the list's current filter and sort (`GET /api/<resource>/export`:
 * the registries, 办件台账, every inbox box, the operation log). The server logs every export;
 * a registry's personal fields stay masked unless `clearPersonal` (shown to pii:export only).
 */
export const ExportXlsxButton = ({ clearPersonal = false, label }: { clearPersonal?: boolean; label?: string }) => {
  const resource = useResourceContext();
  const { filterValues, sort } = useListContext();
  const href = `/api/${resource}/export?filter=${encodeURIComponent(JSON.stringify(filterValues ?? {}))}&sort=${encodeURIComponent(JSON.stringify([sort.field, sort.order]))}${clearPersonal ? '&personal=clear' : ''}`;
  return (
    <Button label={label ?? (clearPersonal ? 'registries.ui.export_clear' : 'registries.ui.export')} onClick={() => window.location.assign(href)} data-testid="export-xlsx">
      <DownloadIcon />
    </Button>
  );
};
