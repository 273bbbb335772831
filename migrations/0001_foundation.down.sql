DROP FUNCTION public.smm_touch_updated_at();
DROP FUNCTION public.smm_current_organization_id();
